"""ISO 3166-1 alpha-2 country codes and their names, from Babel's CLDR data."""

from functools import cache, lru_cache

from babel import Locale
from markupsafe import Markup
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.widgets import Select


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


@cache
def _country_choices(locale: str) -> tuple[SelectChoice, ...]:
    return (SelectChoice("", "—"), *(
        SelectChoice(code, name) for code, name in country_names(locale).items()))


def country_choices(locale: str = "en") -> list[SelectChoice]:
    """Form choices: an empty choice, then every country by name (built once per locale)."""
    return list(_country_choices(locale))


class CountrySelect(Select):
    """wtforms' Select, with each country's <option> rendered once per process.

    Rendering ~250 options through `html_params` was most of the registration form's cost; the
    tags depend only on value, label and selected, so they are kept, not rebuilt per request.
    """

    @classmethod
    def render_option(cls, choice: Choice, **kwargs) -> Markup:
        if kwargs or choice.render_kw or type(choice.label) is not str:  # lazy labels vary
            return super().render_option(choice, **kwargs)
        return _option(choice.value, choice.label, choice.selected)


@lru_cache(maxsize=4096)
def _option(value: str, label: str, selected: bool) -> Markup:
    return Select.render_option(Choice(value, label, selected, {}))
