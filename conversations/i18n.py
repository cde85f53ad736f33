"""Interface strings from the Babel catalogs, and locale-aware formatting.

Catalogs live in ``locales/<lang>/LC_MESSAGES/messages.po``. A compiled ``.mo`` is used when
it is present and up to date; otherwise the ``.po`` is compiled in memory, so a fresh
checkout works before ``make i18n`` has run.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, get_currency_name

from conversations.content_schema import CURRENCY_DECIMALS, LANGUAGES

#: The Babel locale used to format numbers and dates for each language the bot speaks.
FORMAT_LOCALES: dict[str, str] = {"ar": "ar_TN", "fr": "fr_TN", "en": "en", "pt": "pt_MZ"}
RTL_LANGUAGES = frozenset({"ar"})


def pick_language(hint: str | None, default: str) -> str:
    """The language to use for a channel's hint such as ``pt-BR`` or ``ar``."""
    if hint:
        base = hint.replace("_", "-").split("-")[0].strip().lower()
        if base in LANGUAGES:
            return base
    return default


@functools.cache
def native_name(lang: str) -> str:
    """The language's own name for itself, from CLDR (``العربية``, ``Français``...); read once
    per language, as the language menu shows them all at every turn that asks."""
    name = Locale.parse(FORMAT_LOCALES[lang]).language_name or lang
    return name[:1].upper() + name[1:]


def load_translations(locales_dir: Path, lang: str) -> gettext.NullTranslations:
    """The catalog for ``lang``: its ``.mo`` when fresh, else the ``.po`` compiled in memory."""
    folder = locales_dir / lang / "LC_MESSAGES"
    po_path, mo_path = folder / "messages.po", folder / "messages.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Strings and formats for one language."""

    def __init__(
        self, lang: str, translations: gettext.NullTranslations, gender: str | None = None
    ) -> None:
        self.lang = lang
        self._translations = translations
        self._locale = FORMAT_LOCALES[lang]
        self._gender = gender

    def for_gender(self, gender: str | None) -> Translator:
        """The same catalog, addressing a person of ``gender`` (``f``, ``m`` or ``None``)."""
        if gender == self._gender:
            return self
        return Translator(self.lang, self._translations, gender)

    @property
    def direction(self) -> str:
        """``rtl`` for Arabic, ``ltr`` otherwise."""
        return "rtl" if self.lang in RTL_LANGUAGES else "ltr"

    def gettext(self, message: str, gender: str | None = None) -> str:
        """The translation of an interface string.

        With ``gender`` (``f`` or ``m``), the catalog entry of that context (``msgctxt "f"``)
        is used when there is one, so a text can address a woman and a man each in their own
        grammar; without it, or without such an entry, the neutral translation.
        """
        gender = gender or self._gender
        if gender:
            gendered = self._translations.pgettext(gender, message)
            if gendered != message:
                return gendered
        return self._translations.gettext(message)

    def duration(self, value: timedelta) -> str:
        """A duration in words, such as ``4 heures``."""
        return format_timedelta(value, threshold=1.5, locale=self._locale)

    def number(self, value: int | float | Decimal) -> str:
        """A number written the local way (``1 500`` in French)."""
        return format_decimal(value, locale=self._locale)

    def amount(self, minor_units: int, currency: str) -> str:
        """An amount kept in the smallest unit (millimes for TND), shown with its currency."""
        decimals = CURRENCY_DECIMALS[currency]
        major = Decimal(minor_units).scaleb(-decimals)
        return format_currency(major, currency, locale=self._locale)

    def currency_name(self, currency: str) -> str:
        """A currency's name in this language (``franc CFA (BEAC)``, ``metical moçambicano``)."""
        return str(get_currency_name(currency, locale=self._locale))

    def date(self, value: date) -> str:
        """A date in the local medium form (``23 nov. 2026``)."""
        return format_date(value, format="medium", locale=self._locale)

    def weekday_time(self, value: datetime) -> str:
        """A day and an hour, such as ``lundi 08:30``, in the person's language."""
        return format_datetime(value, "EEEE HH:mm", tzinfo=value.tzinfo, locale=self._locale)

    def join(self, items: Sequence[str]) -> str:
        """``a, b and c`` in the person's language."""
        return format_list(list(items), locale=self._locale) if items else ""


class Catalogs:
    """The translators for every shipped language, loaded once at start-up."""

    def __init__(self, locales_dir: Path) -> None:
        self._translators = {
            lang: Translator(lang, load_translations(locales_dir, lang)) for lang in LANGUAGES
        }

    def get(self, lang: str) -> Translator:
        """The translator for ``lang``; French when the language is unknown."""
        return self._translators.get(lang, self._translators["fr"])
