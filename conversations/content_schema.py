"""The shape of the content files that program staff edit.

Everything a person reads that is specific to a program, a question or an article lives in YAML
files under ``conversations/content/``; these pydantic models are their schema. Validation
errors name the item, and :mod:`conversations.content_loader` adds the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


#: The ``source`` of a rule no programme document states: the deployer chose it.
DEPLOYER_POLICY = "deployer_policy"


class SeedQuote(Strict):
    """Where a programme states a fact: a short exact quote from one of its documents."""

    seed: Annotated[str, Field(pattern=r"^[0-9]{3}_[0-9a-f]{16}\.txt$")]
    quote: Annotated[str, Field(min_length=3, max_length=200)]


class Policy(Strict):
    """A deployer's own threshold: off unless the deployer switches it on."""

    enabled: bool = False


class Rule(Strict):
    """One eligibility rule of a program, with the plain words that explain it.

    ``source`` is a seed quote, or ``deployer_policy`` with a ``policy`` switch: a rule no
    programme wrote never refuses anyone unless the deployer turns it on.
    """

    id: Identifier
    source: SeedQuote | Literal["deployer_policy"]
    policy: Policy | None = None
    condition: Condition
    passed: Text
    failed: Text

    @model_validator(mode="after")
    def _policy_matches_source(self) -> Rule:
        if self.source == DEPLOYER_POLICY and self.policy is None:
            raise ValueError(
                f"rule '{self.id}' is a deployer policy: add 'policy: {{enabled: false}}'"
            )
        if self.source != DEPLOYER_POLICY and self.policy is not None:
            raise ValueError(
                f"rule '{self.id}' quotes a seed: only a deployer_policy rule has 'policy'"
            )
        return self

    @property
    def is_policy(self) -> bool:
        """Whether the rule is the deployer's choice rather than a programme's fact."""
        return self.source == DEPLOYER_POLICY

    @property
    def applies(self) -> bool:
        """Whether the rule is used to decide: facts always, policies only when switched on."""
        return self.policy is None or self.policy.enabled


class StaffCriterion(Strict):
    """A fuzzy criterion of a programme (``jeunes``, ``familles économiquement faibles``).

    It is asked and recorded for staff to weigh, never used to turn anyone away.
    """

    id: Identifier
    source: SeedQuote
    asked_by: Annotated[list[Identifier], Field(min_length=1)]


class Period(Strict):
    """When a programme runs, as its document says; ``end`` passed means the content is stale."""

    start: date
    end: date | None = None
    source: SeedQuote


class Referral(Strict):
    """One place to turn, for the people it fits: by country, and after a return from abroad."""

    text: Text
    countries: list[Identifier] = []
    returned_only: bool = False


class Program(Strict):
    """A program: who it is for, how to apply, and where else to turn."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    reference_prefix: Annotated[str, Field(pattern=r"^[A-Z]{2,6}$")]
    currency: str = "TND"
    #: The local currency where it differs by the person's country (profile ``country``).
    currency_by_country: dict[str, str] = {}
    period: Period | None = None
    accepts_applications: bool = True
    name: Text
    short_name: Text
    summary: Text
    details: Text
    elsewhere: list[Referral]
    eligibility: list[Rule]
    for_staff: list[StaffCriterion] = []
    value_chains: list[Option] = []
    form: list[Question]

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in CURRENCY_DECIMALS:
            raise ValueError(f"currency '{value}' is not one of {sorted(CURRENCY_DECIMALS)}")
        return value

    @field_validator("currency_by_country")
    @classmethod
    def _known_currencies(cls, value: dict[str, str]) -> dict[str, str]:
        for country, currency in value.items():
            if currency not in CURRENCY_DECIMALS:
                raise ValueError(
                    f"currency '{currency}' for '{country}' is not one of "
                    f"{sorted(CURRENCY_DECIMALS)}"
                )
        return value

    def currency_for(self, country: str | None) -> str:
        """The currency a person in ``country`` deals in with this programme."""
        return self.currency_by_country.get(country or "", self.currency)

    def currencies(self) -> list[str]:
        """Every currency the programme deals in (one fund each), its fallback first."""
        return [self.currency, *sorted(set(self.currency_by_country.values()) - {self.currency})]

    def referrals_for(self, country: str | None, returned: bool) -> list[Referral]:
        """The places to turn that fit a person in ``country`` (returned from abroad or not)."""
        return [
            r
            for r in self.elsewhere
            if (not r.countries or country in r.countries) and (returned or not r.returned_only)
        ]


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


#: The values the consent text may name; the backend's settings fill them in.
CONSENT_PLACEHOLDERS = frozenset({"controller", "contact", "retention"})


class Retention(Strict):
    """How the consent text says the retention period: in years when whole, else in days."""

    one_year: Text
    years: Text
    days: Text


class Minors(Strict):
    """What the bot says and asks when the person is under 18 (Tunisian law 2004-63, art. 28).

    ``guardian_questions`` are added to every programme's form, asked only under 18.
    """

    too_young: Text
    guardian_needed: Text
    guardian_refused: Text
    guardian_questions: Annotated[list[Question], Field(min_length=1)]


class Consent(Strict):
    """What the bot tells a person before any personal question."""

    version: Annotated[str, Field(min_length=1, max_length=40)]
    text: Text
    controller_unset: Text
    retention: Retention
    minors: Minors

    @model_validator(mode="after")
    def _known_placeholders(self) -> Consent:
        for lang in LANGUAGES:
            used = set(re.findall(r"{(\w*)}", self.text.get(lang)))
            unknown = used - CONSENT_PLACEHOLDERS
            if unknown:
                raise ValueError(
                    f"the '{lang}' text uses {sorted(unknown)}; "
                    f"only {sorted(CONSENT_PLACEHOLDERS)} are filled in"
                )
        return self


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
    link: list[str]
    yes: list[str]
    no: list[str]
    skip: list[str]
    #: "Someone else is writing": another person of a family takes the phone.
    someone_else: list[str] = Field(default_factory=list)
    #: "I am not ...", followed by the first name the bot knows for the person ("je ne suis
    #: pas Amira"): only then, since alone they begin ordinary sentences ("je ne suis pas sûr").
    not_me: list[str] = Field(default_factory=list)

    def whole_words(self) -> dict[str, Iterable[str]]:
        """Each kind's words that are a whole message; ``not_me`` are only beginnings."""
        return dict(self.model_dump(exclude={"not_me"}))
