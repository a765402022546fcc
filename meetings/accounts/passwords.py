"""Password rules and hashing work that does not depend on whether an account exists."""

import functools
import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from meetings.errors import DomainError
from meetings.i18n import lazy_gettext as _l
from meetings.models import User

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn's scale: 3 is "safely unguessable: moderate protection from an offline attack".
MIN_SCORE = 3
# zxcvbn's run time grows with length; a longer password is judged by its first 72 characters.
ZXCVBN_MAX_LENGTH = 72


def check_password_strength(password: str, *, user_inputs: tuple[str, ...] = (),
                            field: str = "password") -> None:
    """Refuse short, common and easily guessed passwords (and ones built from the user's name)."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(
            _l("Use at most %(count)d characters.", count=MAX_PASSWORD_LENGTH), field=field
        )
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=list(words_of(*user_inputs)))
    if result["score"] < MIN_SCORE:
        raise DomainError(
            _l("This password is too easy to guess: it is common, repetitive or built from your "
               "name or address. A few unrelated words make a strong password."), field=field
        )


def words_of(*texts: str) -> set[str]:
    """The words of names and email addresses, for zxcvbn to treat as guessable."""
    words = {text.strip().lower() for text in texts if text and text.strip()}
    for text in texts:
        words.update(word for word in re.split(r"[^\w]+", (text or "").lower()) if len(word) > 2)
    return words


@functools.cache
def dummy_password_hash() -> str:
    """A hash made like real ones, checked when there is no account, so both take as long."""
    return generate_password_hash(secrets.token_urlsafe(16), method=User.password_method)


def password_matches(user: User | None, password: str) -> bool:
    """Check the password against the user's hash, or do the same work against a dummy hash."""
    stored = user.password_hash if user is not None else dummy_password_hash()
    matches = check_password_hash(stored, password or "")
    return matches and user is not None
