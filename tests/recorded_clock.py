"""A stand-in for the `time` module that records sleeps instead of sleeping."""


class RecordedClock:
    """Each `monotonic()` call moves the clock 0.01 s on (the work of a request); `sleep` is
    recorded and moves it on by the time asked. Patch it over a module's `time`."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def monotonic(self) -> float:
        self.now += 0.01
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
