"""Answers as staff read them: questions in the staff language, values as labels, whatever
the person's language; any stored value gives a label, never an error."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.applications.labels import answer_labels, profile_labels
from conversations.content_loader import Content, load_content
from conversations.content_schema import Option, Question, Text
from conversations.i18n import Catalogs
from tests.conftest import ROOT

CONTENT = load_content()
CATALOGS = Catalogs(ROOT / "locales")


def labels(lang: str, program: str, answers: dict[str, Any]) -> dict[str, tuple[str, str]]:
    found = answer_labels(CONTENT, CATALOGS.get(lang), program=program, answers=answers)
    return {a.field: (a.question, a.value) for a in found}


def test_choices_sectors_amounts_and_dates_read_as_words(content: Content) -> None:
    french = labels(
        "fr",
        "utss-cad",
        {"project_sector": "crafts", "amount_requested": 15_000_000, "had_bank_loan": False},
    )
    assert french["project_sector"][1] == "Artisanat"
    assert french["amount_requested"][1] == "15\u202f000,000\xa0DT"
    assert french["had_bank_loan"][1] == "Non"
    english = labels("en", "lemma-mahdia", {"return_date": "2023-03-15"})
    assert english["return_date"][1] == "Mar 15, 2023"


def test_a_value_chain_a_deployer_adds_reads_as_its_label() -> None:
    """The seeds name no value chains for Joud; a deployer who adds them sees them as words."""
    dates = Option(
        id="dates", label=Text(ar="التمور", fr="Dattes", en="Dates", pt="Tâmaras"), synonyms=[]
    )
    field = Question(
        id="value_chain",
        type="value_chain",
        prompt=Text(ar="السلسلة؟", fr="Filière ?", en="Value chain?", pt="Cadeia?"),
    )
    joud = CONTENT.programs["joud-nefzaoua"]
    deployed = joud.model_copy(update={"value_chains": [dates], "form": [*joud.form, field]})
    content = replace(CONTENT, programs={**CONTENT.programs, "joud-nefzaoua": deployed})
    found = answer_labels(
        content, CATALOGS.get("ar"), program="joud-nefzaoua", answers={"value_chain": "dates"}
    )
    assert [(a.field, a.value) for a in found] == [("value_chain", "التمور")]


def test_questions_follow_the_form_order_in_the_staff_language() -> None:
    answers = {"phone": "+21698123456", "full_name": "Zeineb", "retired_field": "x"}
    found = answer_labels(CONTENT, CATALOGS.get("fr"), program="iess", answers=answers)
    assert [a.field for a in found] == ["full_name", "phone", "retired_field"]
    assert found[1].value == "+216 98 123 456"
    assert found[0].question != "full_name" and found[2].question == "retired_field"


def test_profile_answers_are_labelled_for_staff_whatever_the_persons_language() -> None:
    found = profile_labels(CONTENT, CATALOGS.get("fr"), profile={"governorate": "kasserine"})
    assert [(a.field, a.value) for a in found] == [("governorate", "Kasserine")]
    arabic = profile_labels(CONTENT, CATALOGS.get("ar"), profile={"gender": "woman"})
    assert arabic[0].value == "امرأة"


values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.floats(allow_nan=True)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    program=st.sampled_from(sorted(CONTENT.programs)),
    lang=st.sampled_from(["ar", "fr", "en", "pt"]),
    stored=st.dictionaries(st.sampled_from(["full_name", "phone", "amount_needed",
                                            "amount_requested", "return_date", "education",
                                            "household_size", "fee_help", "x"]), values),
)  # fmt: skip
def test_any_stored_value_gets_a_label(program: str, lang: str, stored: dict[str, Any]) -> None:
    found = answer_labels(CONTENT, CATALOGS.get(lang), program=program, answers=stored)
    assert {a.field for a in found} == set(stored)
    assert all(isinstance(a.value, str) and isinstance(a.question, str) for a in found)
