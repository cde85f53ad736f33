"""`massar content check` tells policies from facts and warns about a period that is over."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.cli import app
from conversations.content_loader import DEFAULT_CONTENT_DIR, ContentError, load_content
from conversations.content_report import period_warnings


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_prints_each_policy_as_a_policy_and_warns_about_lemmas_period() -> None:
    result = CliRunner().invoke(app, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert (
        "policy: programs/iess.yaml: youth_or_woman is a deployer policy, not a programme "
        "fact (off)" in result.output
    )
    assert "policy: programs/joud-nefzaoua.yaml: vulnerable_only" in result.output
    assert "programs/lemma-mahdia.yaml: the period 2017-11 – 2018-12 is over" in result.output


def test_switching_a_policy_on_shows_it_on(content_copy: Path) -> None:
    _replace(
        content_copy / "programs/iess.yaml", "policy: {enabled: false}", "policy: {enabled: true}"
    )
    result = CliRunner().invoke(app, ["content", "check", "--directory", str(content_copy)])
    assert "youth_or_woman is a deployer policy, not a programme fact (ON)" in result.output


def test_an_updated_period_stops_the_warning(content_copy: Path) -> None:
    _replace(content_copy / "programs/lemma-mahdia.yaml", "end: 2018-12-31", "end: 2030-12-31")
    assert period_warnings(load_content(content_copy), date(2026, 12, 1)) == []


def test_a_rule_without_a_source_is_refused(content_copy: Path) -> None:
    path = content_copy / "programs/lemma-mahdia.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index('    source: {seed: 003_905031384bfbcc50.txt, quote: "Zone')
    end = text.index("\n", start) + 1
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert any("eligibility[0] (lives_in_mahdia).source" in p for p in caught.value.problems)


def test_a_policy_without_its_switch_is_refused(content_copy: Path) -> None:
    _replace(content_copy / "programs/iess.yaml", "    policy: {enabled: false}\n", "")
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert any("add 'policy: {enabled: false}'" in p for p in caught.value.problems)


def test_a_staff_criterion_must_name_a_real_question(content_copy: Path) -> None:
    _replace(
        content_copy / "programs/utss-cad.yaml",
        "asked_by: [bank_guarantees,",
        "asked_by: [bank_guarantee,",
    )
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert caught.value.problems == [
        "programs/utss-cad.yaml: for_staff (without_bank_guarantees): 'bank_guarantee' is not a "
        "profile question nor a field of the form"
    ]
