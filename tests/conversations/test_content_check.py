"""`massar content check` names the file, the item and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backend.cli import app
from conversations.content_loader import DEFAULT_CONTENT_DIR, ContentError, load_content


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return caught.value.problems


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_content_is_valid() -> None:
    content = load_content()
    assert sorted(content.programs) == [
        "essor-biosp",
        "iess",
        "joud-nefzaoua",
        "lemma-mahdia",
        "utss-cad",
    ]


def test_unknown_option_in_a_rule_is_named(content_copy: Path) -> None:
    _replace(
        content_copy / "programs/iess.yaml", "kasserine, sidi_bouzid", "kaserine, sidi_bouzid"
    )
    assert _problems(content_copy) == [
        "programs/iess.yaml: eligibility (program_region).condition: 'kaserine' is not an option "
        "of 'governorate' (options: ariana, beja, ben_arous, bizerte, gabes, gafsa, jendouba, "
        "kairouan, kasserine, kebili, kef, mahdia, manouba, medenine, monastir, nabeul, sfax, "
        "sidi_bouzid, siliana, sousse, tataouine, tozeur, tunis, zaghouan)"
    ]


def test_missing_language_is_named_with_its_item(content_copy: Path) -> None:
    path = content_copy / "awareness.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("pt:"))
    del lines[index]
    path.write_text("".join(lines), encoding="utf-8")
    problems = _problems(content_copy)
    assert len(problems) == 1
    assert problems[0].startswith("awareness.yaml: articles[0] (ess).")
    assert problems[0].endswith(".pt: Field required")


def test_condition_on_a_later_question_is_refused(content_copy: Path) -> None:
    _replace(
        content_copy / "profile.yaml",
        'when: {field: country, equals: tn}\n    prompt:\n      ar: "ما هي ولاية',
        'when: {field: sector, equals: crafts}\n    prompt:\n      ar: "ما هي ولاية',
    )
    problems = _problems(content_copy)
    assert problems == [
        "profile.yaml: questions (governorate).when: 'sector' is not a question asked before "
        "this point"
    ]


def test_typo_in_a_key_and_bad_yaml_are_reported(content_copy: Path) -> None:
    _replace(content_copy / "consent.yaml", "version:", "verison:")
    (content_copy / "sectors.yaml").write_text("sectors: [unclosed\n", encoding="utf-8")
    problems = _problems(content_copy)
    assert any(
        p.startswith("consent.yaml: verison: Extra inputs are not permitted") for p in problems
    )
    assert any(p.startswith("sectors.yaml: not valid YAML") for p in problems)


def test_keyword_in_two_lists_is_refused(content_copy: Path) -> None:
    _replace(content_copy / "keywords.yaml", "stop: [stop,", "stop: [menu, stop,")
    assert _problems(content_copy) == ["keywords.yaml: stop: 'menu' is also a 'menu' word"]


def test_cli_exits_non_zero_with_the_problem(content_copy: Path) -> None:
    _replace(
        content_copy / "programs/lemma-mahdia.yaml",
        "reference_prefix: LEMMA",
        "reference_prefix: IESS",
    )
    result = CliRunner().invoke(app, ["content", "check", "--directory", str(content_copy)])
    assert result.exit_code == 1
    assert "reference_prefix 'IESS' is already used by 'iess'" in result.output


def test_cli_accepts_the_bundled_content() -> None:
    result = CliRunner().invoke(app, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "content OK: 5 programs" in result.output


def test_diagram_is_drawn_from_the_content() -> None:
    result = CliRunner().invoke(app, ["content", "diagram"])
    assert result.exit_code == 0
    assert "flowchart TD" in result.output
    assert '-->|"country = tn"| profile_governorate' in result.output
    assert "group_size" in result.output
