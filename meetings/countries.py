"""ISO 3166-1 alpha-2 country codes and their names, from Babel's CLDR data."""

import unicodedata
from functools import cache, lru_cache

from babel import Locale
from markupsafe import Markup
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.widgets import Select, html_params

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


class CountryChoices(list):
    """The choices country_choices makes, knowing their locale (so CountrySelect can reuse the
    rendered options)."""

    def __init__(self, locale: str):
        super().__init__(_country_choices(locale))
        self.locale = locale


def country_choices(locale: str = "en") -> list[SelectChoice]:
    """Form choices: an empty choice, then every country by name (built once per locale)."""
    return CountryChoices(locale)


class CountrySelect(Select):
    """wtforms' Select, with each country's <option> rendered once per process.

    Rendering ~250 options through `html_params` was most of the registration form's cost; the
    tags depend only on value, label and selected, so they are kept, not rebuilt per request.
    The whole list of options is kept too, per locale and selected country, for the choices
    country_choices makes (a field with other choices renders option by option).
    """

    def __call__(self, field, **kwargs) -> Markup:
        choices = field.choices
        if (self.multiple or type(choices) is not CountryChoices or field.coerce is not str
                or len(choices) != len(_country_choices(choices.locale))):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = True
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"
                      f"{_options(choices.locale, field.data)}</select>")

    @classmethod
    def render_option(cls, choice: Choice, **kwargs) -> Markup:
        if kwargs or choice.render_kw or type(choice.label) is not str:  # lazy labels vary
            return super().render_option(choice, **kwargs)
        return _option(choice.value, choice.label, choice.selected)


@lru_cache(maxsize=4096)
def _option(value: str, label: str, selected: bool) -> Markup:
    return Select.render_option(Choice(value, label, selected, {}))


def _options(locale: str, selected: str | None) -> Markup:
    """Every <option> of country_choices(locale), `selected` marked (as wtforms would)."""
    known = selected is None or selected == "" or selected in country_names(locale)
    return _known_options(locale, selected) if known else _known_options(locale, None)


@lru_cache(maxsize=1024)
def _known_options(locale: str, selected: str | None) -> Markup:
    return Markup("").join(_option(choice.value, choice.label, choice.value == selected)
                           for choice in _country_choices(locale))
