"""Where to go after logging in: local paths only, as a browser would read them."""

import re
from urllib.parse import urlsplit

# Printable ASCII without spaces or backslashes: browsers drop tabs and newlines inside URLs and
# read "\" as "/", so "/\t/evil.example" or "/\\evil.example" would leave the site.
LOCAL_PATH = re.compile(r"/[!-\[\]-~]*")


def local_path(target: str | None) -> str | None:
    """The target when it is a path on this site, else None."""
    if not target or len(target) > 2000 or not LOCAL_PATH.fullmatch(target):
        return None
    if target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
