"""Domain errors raised by services; views turn them into form errors or flashes."""


class DomainError(Exception):
    """A rule of the domain was broken; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The user may not do this to this object."""


class Busy(DomainError):
    """A lock was not had in time; the request may simply be tried again."""
