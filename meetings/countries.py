"""ISO 3166-1 alpha-2 country codes and their names, from Babel's CLDR data."""

import unicodedata
from functools import cache, lru_cache

from babel import Locale
from markupsafe import Markup
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.widgets import Select

# Two-letter codes CLDR names that are no country: unions, "Unknown Region", "Outlying Oceania"
# and the pseudo-locales' regions (XA "Pseudo-Accents", XB "Pseudo-Bidi"). XK (Kosovo) stays.
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


def sort_key(name: str) -> str:
    """A name's place in an alphabetical list, ignoring accents and case.

    Babel has no collation, so this is not the locale's own collation: the name is decomposed
    (NFKD), its combining marks dropped and the rest case-folded, so "Åland Islands" sorts with
    the A's and "Côte d’Ivoire" with the C's. That is right for Latin scripts; other scripts keep
    their code-point order.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """Two-letter code -> name in `locale`, real countries only, in the reader's alphabetical
    order (see `sort_key`)."""
    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in sorted(territories.items(), key=lambda item: sort_key(item[1]))
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
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
