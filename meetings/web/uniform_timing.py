"""Answers that take the same time whichever branch ran, so timing tells no one who registered."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

LOST_LINK_FLOOR = 0.25  # seconds; far above the work of either branch


@contextmanager
def no_sooner_than(seconds: float) -> Iterator[None]:
    """Let the block run, then wait until `seconds` have passed since it began."""
    started = time.monotonic()
    try:
        yield
    finally:
        remaining = seconds - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
