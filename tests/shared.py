"""The checkers and schemas kept outside the project in ../shared."""

import subprocess

from tests.conftest import SHARED

ICALCHECK = SHARED / "icalcheck" / "icalcheck"
FRAB_SCHEMAS = SHARED / "schemas" / "frab"


def icalcheck(*paths) -> str:
    """Run the five parsers and the lint on every file in one call; all must PASS."""
    result = subprocess.run([str(ICALCHECK), *map(str, paths)], capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIP" not in result.stdout, result.stdout
    assert result.stdout.count("PASS agreement") == len(paths), result.stdout
    return result.stdout
