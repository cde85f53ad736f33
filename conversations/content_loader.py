"""Load the content files and check them, naming the file, the item and the problem.

Staff edit YAML, not Python, so every mistake must be reported in their terms:
``programs/iess.yaml: form[3] (amount): currency 'TD' is not one of ...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from conversations.content_lint import (
    long_paragraph_problems,
    one_form_warnings,
    short_name_problems,
)
from conversations.content_schema import (
    Awareness,
    Condition,
    Consent,
    Keywords,
    Profile,
    Program,
    Question,
    Sectors,
    Survey,
)
from conversations.labels import BUTTON_LIMIT, label_warnings
from conversations.matching import KeywordIndex, normalize

DEFAULT_CONTENT_DIR = Path(__file__).parent / "content"
#: WhatsApp's reply-button title limit; longer labels are shortened by the channel.
BUTTON_LABEL_LIMIT = BUTTON_LIMIT
Model = TypeVar("Model", bound=BaseModel)


class _Yaml12Loader(yaml.SafeLoader):
    """YAML with 1.2 booleans: only true/false, so staff can write the words yes, no, on, off."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _Yaml12Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first]
    )


@dataclass(frozen=True)
class Content:
    """All content, checked and ready for the engine."""

    profile: Profile
    programs: dict[str, Program]
    awareness: Awareness
    sectors: Sectors
    consent: Consent
    keywords: Keywords
    survey: Survey
    warnings: tuple[str, ...] = ()

    def profile_question(self, question_id: str) -> Question | None:
        """The profile question with this id, if any."""
        return next((q for q in self.profile.questions if q.id == question_id), None)


class ContentError(Exception):
    """Content that cannot be used; ``problems`` lists each one precisely."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class _Checker:
    """Collects problems while the files are read, so one run reports them all."""

    root: Path
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def read(self, relative: str, model: type[Model]) -> Model | None:
        path = self.root / relative
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)  # noqa: S506 - a safe loader
        except FileNotFoundError:
            self.problems.append(f"{relative}: the file is missing")
            return None
        except yaml.YAMLError as exc:
            self.problems.append(f"{relative}: not valid YAML: {exc}")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                where = _describe_location(raw, error["loc"])
                self.problems.append(f"{relative}: {where}: {error['msg']}")
            return None


def _describe_location(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's location into ``form[3] (amount).currency``, naming list items by id."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict) and "id" in node:
                    label += f" ({node['id']})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(f".{step}" if parts else str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def load_content(root: Path = DEFAULT_CONTENT_DIR) -> Content:
    """Read and check every content file under ``root``; raise :class:`ContentError` if any
    is wrong."""
    checker = _Checker(root)
    profile = checker.read("profile.yaml", Profile)
    awareness = checker.read("awareness.yaml", Awareness)
    sectors = checker.read("sectors.yaml", Sectors)
    consent = checker.read("consent.yaml", Consent)
    keywords = checker.read("keywords.yaml", Keywords)
    survey = checker.read("surveys.yaml", Survey)
    programs: dict[str, Program] = {}
    program_files = sorted((root / "programs").glob("*.yaml"))
    if not program_files:
        checker.problems.append("programs/: there is no program file")
    for path in program_files:
        relative = f"programs/{path.name}"
        program = checker.read(relative, Program)
        if program is None:
            continue
        if path.stem != program.code:
            checker.problems.append(
                f"{relative}: code '{program.code}' differs from the file name '{path.stem}'"
            )
        programs[program.code] = program
    if consent:
        programs = {code: _with_guardian(p, consent) for code, p in programs.items()}
    if profile and sectors:
        _check_profile(checker, profile)
        for program in programs.values():
            _check_program(checker, program, profile)
            _check_people_side(checker, program, profile)
    if awareness:
        _check_unique(checker, "awareness.yaml", "articles", [a.id for a in awareness.articles])
    if keywords:
        _check_keywords(checker, keywords)
    _check_prefixes(checker, programs)
    if profile and awareness and sectors:
        checker.warnings += label_warnings(
            profile=profile, programs=programs.values(), awareness=awareness, sectors=sectors
        )
    if survey:
        _check_unique(checker, "surveys.yaml", "questions", [q.id for q in survey.questions])
    _check_reading(checker, profile, awareness, consent, survey, programs)
    if checker.problems or not (
        profile and awareness and sectors and consent and keywords and survey
    ):
        raise ContentError(checker.problems)
    return Content(
        profile=profile,
        programs=programs,
        awareness=awareness,
        sectors=sectors,
        consent=consent,
        keywords=keywords,
        survey=survey,
        warnings=tuple(checker.warnings),
    )


def _with_guardian(program: Program, consent: Consent) -> Program:
    """Every form starts with the parent's or guardian's consent, asked only under 18."""
    questions = list(consent.minors.guardian_questions)
    return program.model_copy(update={"form": [*questions, *program.form]})


def _check_unique(checker: _Checker, file: str, what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            checker.problems.append(f"{file}: {what}: the id '{item}' is used twice")
        seen.add(item)


def _check_profile(checker: _Checker, profile: Profile) -> None:
    file = "profile.yaml"
    _check_unique(checker, file, "questions", [q.id for q in profile.questions])
    known: dict[str, Question] = {}
    for question in profile.questions:
        if question.type == "value_chain":
            checker.problems.append(
                f"{file}: questions ({question.id}): value chains belong to a program's form"
            )
        if question.when:
            _check_condition(
                checker, file, f"questions ({question.id}).when", question.when, known
            )
        known[question.id] = question


def _check_program(checker: _Checker, program: Program, profile: Profile) -> None:
    file = f"programs/{program.code}.yaml"
    profile_fields = {q.id: q for q in profile.questions}
    for rule in program.eligibility:
        _check_condition(
            checker, file, f"eligibility ({rule.id}).condition", rule.condition, profile_fields
        )
    _check_unique(checker, file, "eligibility", [r.id for r in program.eligibility])
    _check_unique(checker, file, "form", [q.id for q in program.form])
    _check_unique(checker, file, "value_chains", [o.id for o in program.value_chains])
    known = dict(profile_fields)
    for question in program.form:
        where = f"form ({question.id})"
        if question.id in profile_fields:
            checker.problems.append(
                f"{file}: {where}: the id is already a profile question; choose another"
            )
        if question.type == "value_chain" and not program.value_chains:
            checker.problems.append(f"{file}: {where}: a value_chain field needs value_chains")
        if question.when:
            _check_condition(checker, file, f"{where}.when", question.when, known)
        known[question.id] = question
    if not program.form:
        checker.problems.append(f"{file}: form: the form has no field")


def _check_people_side(checker: _Checker, program: Program, profile: Profile) -> None:
    """Staff criteria name real questions; referrals and currencies name real countries."""
    file = f"programs/{program.code}.yaml"
    asked = {q.id for q in profile.questions} | {q.id for q in program.form}
    for criterion in program.for_staff:
        for field_id in criterion.asked_by:
            if field_id not in asked:
                checker.problems.append(
                    f"{file}: for_staff ({criterion.id}): '{field_id}' is not a profile "
                    "question nor a field of the form"
                )
    _check_unique(checker, file, "for_staff", [c.id for c in program.for_staff])
    country = next((q for q in profile.questions if q.id == "country"), None)
    countries = {o.id for o in country.options} if country else set()
    named = [c for r in program.elsewhere for c in r.countries] + list(program.currency_by_country)
    for code in named:
        if code not in countries:
            checker.problems.append(
                f"{file}: '{code}' is not a country of profile.yaml "
                f"(countries: {', '.join(sorted(countries))})"
            )


def _check_condition(
    checker: _Checker, file: str, where: str, condition: Condition, known: dict[str, Question]
) -> None:
    """A condition may read only answers asked before it, and compare with real option ids."""
    for child in [*(condition.all or []), *(condition.any or [])]:
        _check_condition(checker, file, where, child, known)
    if condition.not_:
        _check_condition(checker, file, where, condition.not_, known)
    if condition.field is None:
        return
    question = known.get(condition.field)
    if question is None:
        checker.problems.append(
            f"{file}: {where}: '{condition.field}' is not a question asked before this point"
        )
        return
    values = [
        v
        for v in [condition.equals, *(condition.in_ or []), *(condition.not_in or [])]
        if v is not None
    ]
    if question.type == "choice":
        option_ids = {o.id for o in question.options}
        for value in values:
            if value not in option_ids:
                checker.problems.append(
                    f"{file}: {where}: '{value}' is not an option of '{question.id}' "
                    f"(options: {', '.join(sorted(option_ids))})"
                )
    if question.type == "yesno":
        for value in values:
            if not isinstance(value, bool):
                checker.problems.append(
                    f"{file}: {where}: '{question.id}' is yes/no; compare with true or false"
                )
    if (condition.min is not None or condition.max is not None) and question.type not in (
        "number",
        "amount",
    ):
        checker.problems.append(f"{file}: {where}: min/max needs a number, not {question.type}")


def _check_keywords(checker: _Checker, keywords: Keywords) -> None:
    owner: dict[str, str] = {}
    for kind, words in keywords.whole_words().items():
        for word in words:
            key = normalize(word)
            if not key:
                checker.problems.append(f"keywords.yaml: {kind}: '{word}' is empty once cleaned")
                continue
            if key in owner and owner[key] != kind:
                checker.problems.append(
                    f"keywords.yaml: {kind}: '{word}' is also a '{owner[key]}' word"
                )
            owner[key] = kind
    for first, second in KeywordIndex(keywords.whole_words()).typo_clashes():
        checker.problems.append(
            f"keywords.yaml: '{first}' ({owner[first]}) and '{second}' ({owner[second]}) are one "
            "typo apart, so a typo in either is ambiguous; remove or respell one"
        )


def _check_reading(
    checker: _Checker,
    profile: Profile | None,
    awareness: Awareness | None,
    consent: Consent | None,
    survey: Survey | None,
    programs: dict[str, Program],
) -> None:
    """Readable on a phone (errors) and addressed to the person in their gender (warnings)."""
    files: list[tuple[str, BaseModel | None]] = [
        ("profile.yaml", profile),
        ("awareness.yaml", awareness),
        ("consent.yaml", consent),
        ("surveys.yaml", survey),
        *((f"programs/{code}.yaml", program) for code, program in programs.items()),
    ]
    for file, model in files:
        if model is None:
            continue
        checker.problems += long_paragraph_problems(file, model)
        checker.warnings += one_form_warnings(file, model)
    for program in programs.values():
        checker.problems += short_name_problems(program)


def _check_prefixes(checker: _Checker, programs: dict[str, Program]) -> None:
    seen: dict[str, str] = {}
    for program in programs.values():
        other = seen.get(program.reference_prefix)
        if other:
            checker.problems.append(
                f"programs/{program.code}.yaml: reference_prefix '{program.reference_prefix}' "
                f"is already used by '{other}'"
            )
        seen[program.reference_prefix] = program.code
