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


class Text(Strict):
    """One text in every language the bot speaks."""

    ar: str
    fr: str
    en: str
    pt: str

    @model_validator(mode="after")
    def _no_blank_language(self) -> Text:
        for lang in LANGUAGES:
            if not getattr(self, lang).strip():
                raise ValueError(f"the '{lang}' text is empty")
        return self

    def get(self, lang: str) -> str:
        """The text in ``lang``; French when the language is unknown."""
        return str(getattr(self, lang, self.fr))


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
    yes: list[str]
    no: list[str]
    skip: list[str]
