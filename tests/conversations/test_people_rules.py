"""Eligibility tells the truth: only the programmes' own criteria decide, each with its source."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.content_loader import Content
from conversations.content_report import rules_table
from conversations.content_schema import DEPLOYER_POLICY, Policy, Program, SeedQuote
from conversations.engine import Engine
from conversations.rules import judge
from tests.conversations.chat import Chat

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "docs" / "seeds"


def _plain(text: str) -> str:
    """Whitespace and apostrophes as a reader sees them, for comparing quotes."""
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def _quotes(content: Content) -> list[tuple[str, SeedQuote]]:
    found: list[tuple[str, SeedQuote]] = []
    for program in content.programs.values():
        for rule in program.eligibility:
            if isinstance(rule.source, SeedQuote):
                found.append((f"{program.code}.{rule.id}", rule.source))
        found += [(f"{program.code}.{c.id}", c.source) for c in program.for_staff]
        if program.period:
            found.append((f"{program.code}.period", program.period.source))
    return found


def test_every_quoted_source_is_in_its_seed(content: Content) -> None:
    quotes = _quotes(content)
    assert len(quotes) >= 15
    for where, source in quotes:
        seed = _plain((SEEDS / source.seed).read_text(encoding="utf-8"))
        assert _plain(source.quote) in seed, f"{where}: not found in {source.seed}"


def test_the_invented_rules_are_gone(content: Content) -> None:
    deciding = [
        (p.code, r.condition.fields())
        for p in content.programs.values()
        for r in p.eligibility
        if r.applies
    ]
    for code, fields in deciding:
        assert not fields & {"age", "work", "gender", "disability"}, (code, fields)
    joud = content.programs["joud-nefzaoua"]
    assert not joud.value_chains, "the seed names no value chains"
    for program in content.programs.values():
        for field in program.form:
            if field.type == "amount":
                assert field.max is None, f"{program.code}.{field.id}: the seed sets no ceiling"


def test_every_policy_is_off_as_shipped(content: Content) -> None:
    policies = [r for p in content.programs.values() for r in p.eligibility if r.is_policy]
    assert {r.id for r in policies} == {"youth_or_woman", "vulnerable_only"}
    assert all(r.source == DEPLOYER_POLICY and not r.applies for r in policies)


def _profiles(content: Content) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for question in content.profile.questions:
        if question.type == "choice":
            options = [o.id for o in question.options]
            fields[question.id] = st.sampled_from(options)
        elif question.type == "yesno":
            fields[question.id] = st.booleans()
        elif question.type == "number":
            fields[question.id] = st.integers(int(question.min or 0), int(question.max or 120))
        else:
            fields[question.id] = st.just("crafts")
    return st.fixed_dictionaries({}, optional=fields)


def _switched_on(program: Program) -> Program:
    rules = [
        r.model_copy(update={"policy": Policy(enabled=True)}) if r.is_policy else r
        for r in program.eligibility
    ]
    return program.model_copy(update={"eligibility": rules})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_one_is_refused_by_a_policy_that_is_off(content: Content, data: st.DataObject) -> None:
    profile = data.draw(_profiles(content))
    for program in content.programs.values():
        verdict = judge(program, profile)
        assert verdict.failed is None or not verdict.failed.is_policy, (program.code, profile)
        assert all(not r.is_policy for r in verdict.passed)
        on = judge(_switched_on(program), profile)
        if on.failed is not None and on.failed.is_policy:
            assert verdict.eligible or verdict.failed is not None  # off: it never decided


def test_a_policy_switched_on_refuses() -> None:
    from conversations.content_loader import load_content

    iess = _switched_on(load_content().programs["iess"])
    profile = {"country": "tn", "governorate": "kasserine", "age": 50, "gender": "man"}
    verdict = judge(iess, profile)
    assert verdict.failed is not None and verdict.failed.id == "youth_or_woman"


def test_iess_serves_people_with_a_job_and_existing_ess_structures(content: Content) -> None:
    iess = content.programs["iess"]
    salaried = {"country": "tn", "governorate": "mahdia", "age": 52, "gender": "man"}
    assert judge(iess, {**salaried, "work": "employed"}).eligible
    assert judge(iess, {**salaried, "work": "self_employed"}).eligible
    assert "ess_org" in {o.id for f in iess.form if f.id == "project_kind" for o in f.options}


def test_utss_asks_about_bank_guarantees_and_household_and_keeps_salaried_people(
    content: Content,
) -> None:
    utss = content.programs["utss-cad"]
    assert judge(utss, {"country": "tn", "has_project": True, "work": "employed"}).eligible
    asked = {c.id: c.asked_by for c in utss.for_staff}
    assert "bank_guarantees" in asked["without_bank_guarantees"]
    assert {"bank_guarantees", "household_means"} <= {f.id for f in utss.form}


def test_joud_is_kebili_nord_and_asks_the_delegation(content: Content) -> None:
    joud = content.programs["joud-nefzaoua"]
    assert "Kébili Nord" in joud.details.fr and "grand Kébili" in joud.details.fr
    delegation = next(f for f in joud.form if f.id == "delegation")
    assert "kebili_nord" in {o.id for o in delegation.options}
    kebili = {"country": "tn", "governorate": "kebili", "has_project": True}
    assert judge(joud, {**kebili, "age": 60, "gender": "man", "disability": "no"}).eligible


def test_the_readme_table_is_generated_from_the_content(content: Content) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- rules-table:start -->\n", "<!-- rules-table:end -->"
    assert start in readme and end in readme, "the README carries the rules table"
    shown = readme.split(start, 1)[1].split(end, 1)[0]
    assert shown.strip() == rules_table(content).strip(), "run `massar content rules`"


def test_arabic_reasons_never_assume_a_gender(content: Content) -> None:
    gendered = re.compile(r"(^|\s)(أنت|أنتِ|امرأة|رجل|تعيش|تعيشين|عدت|لديك)(\s|$)")
    for program in content.programs.values():
        for rule in program.eligibility:
            for text in (rule.passed.ar, rule.failed.ar):
                assert not gendered.search(text), (program.code, rule.id, text)


async def test_the_disability_question_is_asked_only_where_a_programme_needs_it(
    engine: Engine,
) -> None:
    question = engine.content.profile_question("disability")
    assert question is not None and question.when is not None
    assert set(question.when.in_ or []) == {"kebili", "mahdia"}
    assert "Joud" in question.prompt.fr and "LEMMA" in question.prompt.fr
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.press("orient")
    await chat.press("agree")
    for answer in ["30", "man", "tn", "tunis", "employed", "no"]:
        assert chat.conversation.params.get("q") != "disability"
        await (chat.press(answer) if not answer.isdigit() else chat.send(answer))
    assert "disability" not in chat.conversation.profile
