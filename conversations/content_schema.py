"""The shape of the content files that program staff edit.

Everything a person reads that is specific to a program, a question or an article lives in YAML
files under ``conversations/content/``; these pydantic models are their schema. Validation
errors name the item, and :mod:`conversations.content_loader` adds the file.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGES: tuple[str, ...] = ("ar", "fr", "en", "pt")
Language = Literal["ar", "fr", "en", "pt"]
FieldType = Literal[
    "text", "number", "amount", "date", "phone", "yesno", "choice", "sector", "value_chain"
]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
#: Currencies the forms accept, with their number of decimals (ISO 4217 minor units).
CURRENCY_DECIMALS: dict[str, int] = {
    "TND": 3,
    "EUR": 2,
    "XAF": 0,
    "XOF": 0,
    "MZN": 2,
}


class Strict(BaseModel):
    """Base for content models: unknown keys are typos, and typos are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Gendered(Strict):
    """A text with the forms that address a woman (``f``) and a man (``m``).

    ``neutral`` is said until the person has answered the gender question, and to a person who
    preferred not to say; a missing form falls back to it.
    """

    neutral: str
    f: str | None = None
    m: str | None = None

    def pick(self, gender: str | None) -> str:
        """The form for ``gender`` (``f``, ``m`` or ``None``)."""
        chosen = self.f if gender == "f" else self.m if gender == "m" else None
        return chosen or self.neutral

    def forms(self) -> tuple[str, ...]:
        """Every form written."""
        return tuple(t for t in (self.neutral, self.f, self.m) if t)


#: One language's value: one form for everyone, or forms by grammatical gender.
LanguageText = str | Gendered
#: Languages whose grammar marks the gender of the person addressed.
GENDERED_LANGUAGES: tuple[str, ...] = ("ar", "fr", "pt")


class Text(Strict):
    """One text in every language the bot speaks.

    A language's value is a string, or ``{neutral: ..., f: ..., m: ...}`` where the language
    addresses a woman and a man differently (``neutral`` is required).
    """

    ar: LanguageText
    fr: LanguageText
    en: LanguageText
    pt: LanguageText

    @model_validator(mode="after")
    def _no_blank_language(self) -> Text:
        for lang in LANGUAGES:
            value = getattr(self, lang)
            forms = value.forms() if isinstance(value, Gendered) else (value,)
            if not forms or not all(form.strip() for form in forms):
                raise ValueError(f"the '{lang}' text is empty")
        return self

    def get(self, lang: str, gender: str | None = None) -> str:
        """The text in ``lang`` for a person of ``gender``; French when the language is
        unknown, the neutral form when the gender is."""
        value = getattr(self, lang, self.fr)
        return value.pick(gender) if isinstance(value, Gendered) else str(value)

    def forms(self, lang: str) -> tuple[str, ...]:
        """Every form of the text in ``lang``."""
        value = getattr(self, lang, self.fr)
        return value.forms() if isinstance(value, Gendered) else (str(value),)

    def is_gendered(self, lang: str) -> bool:
        """Whether ``lang`` has forms by gender."""
        return isinstance(getattr(self, lang, None), Gendered)

    def all_forms(self) -> tuple[str, ...]:
        """Every form in every language, to recognise what a person types."""
        return tuple(form for lang in LANGUAGES for form in self.forms(lang))


class Condition(Strict):
    """A test on one answer, or a combination of tests.

    Exactly one form is used: ``field`` with one operator, or ``all``/``any``/``not``.
    """

    field: Identifier | None = None
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        combinators = [c for c in (self.all, self.any, self.not_) if c is not None]
        operators = [
            name for name in ("equals", "in_", "not_in") if getattr(self, name) is not None
        ]
        has_range = self.min is not None or self.max is not None
        if self.field is None:
            if len(combinators) != 1 or operators or has_range:
                raise ValueError("use exactly one of 'field', 'all', 'any' or 'not'")
        elif combinators or len(operators) + int(has_range) != 1:
            raise ValueError(
                f"condition on '{self.field}' needs exactly one of "
                "'equals', 'in', 'not_in' or 'min'/'max'"
            )
        return self

    def fields(self) -> set[str]:
        """Every answer this condition reads."""
        found = {self.field} if self.field else set()
        for child in [*(self.all or []), *(self.any or []), *([self.not_] if self.not_ else [])]:
            found |= child.fields()
        return found


class Option(Strict):
    """One answer a person can pick."""

    id: Identifier
    label: Text
    synonyms: list[str] = []


class Question(Strict):
    """A profile question or an application form field."""

    id: Identifier
    type: FieldType
    prompt: Text
    help: Text | None = None
    required: bool = True
    when: Condition | None = None
    options: list[Option] = []
    min: float | None = None
    max: float | None = None
    max_length: int = Field(default=300, ge=1, le=2000)
    currency: str | None = None
    past_only: bool = False
    future_only: bool = False
    earliest: date | None = None
    summary_label: Text | None = None

    @model_validator(mode="after")
    def _options_match_type(self) -> Question:
        if self.type == "choice" and len(self.options) < 2:
            raise ValueError(f"choice question '{self.id}' needs at least two options")
        if self.type != "choice" and self.options:
            raise ValueError(f"only 'choice' questions have options ('{self.id}' is {self.type})")
        ids = [o.id for o in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError(f"question '{self.id}' has two options with the same id")
        if self.currency is not None and self.currency not in CURRENCY_DECIMALS:
            raise ValueError(
                f"currency '{self.currency}' is not one of {sorted(CURRENCY_DECIMALS)}"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"question '{self.id}' has min greater than max")
        return self


class Rule(Strict):
    """One eligibility rule of a program, with the plain words that explain it."""

    id: Identifier
    condition: Condition
    passed: Text
    failed: Text


class Program(Strict):
    """A program: who it is for, how to apply, and where else to turn."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    reference_prefix: Annotated[str, Field(pattern=r"^[A-Z]{2,6}$")]
    currency: str = "TND"
    name: Text
    short_name: Text
    summary: Text
    details: Text
    elsewhere: Text
    eligibility: list[Rule]
    value_chains: list[Option] = []
    form: list[Question]

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in CURRENCY_DECIMALS:
            raise ValueError(f"currency '{value}' is not one of {sorted(CURRENCY_DECIMALS)}")
        return value


class Article(Strict):
    """An awareness article: the ESS, rights, services."""

    id: Identifier
    title: Text
    body: Text


class Awareness(Strict):
    """The awareness library, in the order the menu lists it."""

    articles: list[Article]


class Profile(Strict):
    """The shared questions asked once, before orientation."""

    questions: list[Question]


class Sectors(Strict):
    """Activity sectors shared by every form's ``sector`` fields."""

    sectors: list[Option]


class Consent(Strict):
    """What the bot tells a person before any personal question."""

    version: Annotated[str, Field(min_length=1, max_length=40)]
    text: Text


class Survey(Strict):
    """The follow-up survey: an introduction and questions typed like form fields."""

    intro: Text
    questions: list[Question]


class Keywords(Strict):
    """Words a person can type at any step, in every language and in Latin-script derja."""

    menu: list[str]
    back: list[str]
    human: list[str]
    language: list[str]
    stop: list[str]
    delete: list[str]
    greeting: list[str]
    help: list[str]
    how_much: list[str]
    yes: list[str]
    no: list[str]
    skip: list[str]
