"""Locale selection and text direction, ready for the UN's six languages."""

from datetime import date

from babel.dates import format_date
from flask import current_app, has_request_context, request
from flask_babel import get_locale, gettext, lazy_gettext, ngettext

__all__ = ["gettext", "lazy_gettext", "ngettext", "select_locale", "text_direction"]

RIGHT_TO_LEFT = {"ar", "he", "fa", "ur"}
# The languages formal documents (visa letters, certificates) are written in: the UN's six.
DOCUMENT_LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")
# English documents write dates as in Europe, where the meeting's secretariat is: "28 March 2027".
DATE_LOCALES = {"en": "en_GB"}


def long_date(day: date, language: str = "en") -> str:
    """The day written in full in a document language ("28 mars 2027", "2027年3月28日")."""
    return format_date(day, "long", locale=DATE_LOCALES.get(language, language))


def select_locale() -> str:
    """The best of the configured languages for this request (?lang= overrides the browser)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or languages[0]


def text_direction() -> str:
    """'rtl' for Arabic and other right-to-left locales, else 'ltr'."""
    locale = get_locale()
    return "rtl" if locale and locale.language in RIGHT_TO_LEFT else "ltr"
