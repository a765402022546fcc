"""The country list: real countries only, in the reader's alphabetical order."""

import pytest
import wtforms
from wtforms.validators import InputRequired
from wtforms.widgets import Select

from meetings.countries import (
    CountrySelect,
    country_choices,
    country_names,
    is_country_code,
    sort_key,
)


def test_pseudo_regions_are_not_countries():
    names = country_names("en")
    assert "XA" not in names and "XB" not in names
    assert "Pseudo-Accents" not in names.values() and "Pseudo-Bidi" not in names.values()
    assert not is_country_code("XA")
    assert is_country_code("XK")  # Kosovo is a real choice


def test_accented_names_sort_with_their_letter():
    names = list(country_names("en").values())
    assert names.index("Åland Islands") < names.index("Albania")
    assert names[-1] == "Zimbabwe"


def test_other_locales_sort_their_own_names():
    names = list(country_names("fr").values())
    assert names.index("Égypte") < names.index("Espagne") < names.index("États-Unis")
    assert names.index("Émirats arabes unis") < names.index("Équateur")


def test_choices_follow_the_same_order():
    labels = [choice.label for choice in country_choices("en")][1:]
    assert labels == list(country_names("en").values())


def test_sort_key_ignores_accents_and_case():
    assert sort_key("Åland") == sort_key("aland")
    assert sorted(["Zimbabwe", "Åland Islands", "Albania"], key=sort_key) == [
        "Åland Islands", "Albania", "Zimbabwe"]


@pytest.mark.parametrize("data", [None, "", "NL", "CI", "nonsense", "<script>"])
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_kept_options_render_as_wtforms_would(data, locale):
    class Form(wtforms.Form):
        country = wtforms.SelectField("Country", validators=[InputRequired()],
                                      widget=CountrySelect())

    form = Form()
    form.country.choices = country_choices(locale)
    form.country.data = data
    kept = form.country(**{"aria-describedby": "hint"})
    assert kept == Select()(form.country, **{"aria-describedby": "hint"})
    assert kept.count("<option") == len(country_names(locale)) + 1
    assert kept.count(" selected") == (1 if data in ("", "NL", "CI") else 0)
