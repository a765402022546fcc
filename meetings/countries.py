"""ISO 3166-1 alpha-2 country codes and their names, from Babel's CLDR data."""

from functools import cache

from babel import Locale
from wtforms.fields.choices import SelectChoice


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """Two-letter code -> name, for real countries only (no continents or 'ZZ')."""
    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in sorted(territories.items(), key=lambda item: item[1])
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
    }


def country_name(code: str, locale: str = "en") -> str:
    return country_names(locale).get((code or "").upper(), code or "")


def is_country_code(code: str) -> bool:
    return (code or "").upper() in country_names()


def country_choices(locale: str = "en") -> list[SelectChoice]:
    """Form choices: an empty choice, then every country by name."""
    return [SelectChoice("", "—")] + [
        SelectChoice(code, name) for code, name in country_names(locale).items()]
