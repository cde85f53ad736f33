"""Minors, referrals by country, money in the programme's currency, and a consent text that
says what is done."""

from __future__ import annotations

from typing import Any

from conversations.content_loader import Content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.people import PeopleRules
from tests.conversations.chat import Chat
from tests.support import ELIGIBLE_PROFILES

TUNISIAN_SERVICES = ("ANETI", "BTS", "OTE")


def _engine(content: Content, catalogs: Catalogs, **rules: Any) -> Engine:
    return Engine(
        content=content, catalogs=catalogs, people=PeopleRules(**rules), raise_errors=True
    )


async def _results(engine: Engine, profile: dict[str, Any], lang: str = "fr") -> Chat:
    """A person who agreed and answered every profile question, at the orientation results."""
    chat = Chat(engine, lang)
    await chat.send("salut")
    chat.conversation.consent_version = engine.content.consent.version
    chat.conversation.profile = dict(profile)
    await chat.press("orient")
    assert chat.conversation.node == "results"
    return chat


async def test_a_twelve_year_old_is_pointed_to_a_person_not_to_a_programme(
    engine: Engine,
) -> None:
    chat = await _results(engine, {**ELIGIBLE_PROFILES["iess"], "age": 12})
    assert "✅" not in chat.text
    assert "18 ans" in chat.text and "humain" in chat.text
    assert not any(label.startswith("Postuler") for label in chat.labels)
    await chat.press("menu")
    await chat.press("apply")
    await chat.press("iess")
    assert chat.conversation.node == "menu" and "18 ans" in chat.text
    assert chat.store.applications == []


async def test_with_a_lower_minimum_a_minor_applies_with_a_guardians_consent(
    content: Content, catalogs: Catalogs
) -> None:
    engine = _engine(content, catalogs, min_application_age=15)
    profile = {**ELIGIBLE_PROFILES["lemma-mahdia"], "age": 16}
    chat = await _results(engine, profile)
    assert "✅ LEMMA" in chat.text and "parent" in chat.text
    await chat.press("apply:lemma-mahdia")
    assert chat.conversation.params["field"] == "guardian_name"
    await chat.send("Mohamed Trabelsi")
    assert chat.conversation.params["field"] == "guardian_consent"
    await chat.press("yes")
    await chat.apply("lemma-mahdia")
    (application,) = chat.store.applications
    assert application["answers"]["guardian_consent"] is True
    assert application["answers"]["guardian_name"] == "Mohamed Trabelsi"


async def test_without_the_guardians_consent_nothing_is_sent(
    content: Content, catalogs: Catalogs
) -> None:
    engine = _engine(content, catalogs, min_application_age=15)
    chat = await _results(engine, {**ELIGIBLE_PROFILES["lemma-mahdia"], "age": 17})
    await chat.press("apply:lemma-mahdia")
    await chat.send("Mohamed Trabelsi")
    await chat.press("no")
    assert chat.conversation.node == "menu"
    assert "accord" in chat.text
    assert chat.store.applications == []


async def test_under_the_lower_minimum_the_bot_still_explains(
    content: Content, catalogs: Catalogs
) -> None:
    engine = _engine(content, catalogs, min_application_age=15)
    chat = await _results(engine, {**ELIGIBLE_PROFILES["lemma-mahdia"], "age": 14})
    assert "15 ans" in chat.text and "✅" not in chat.text


async def test_adults_are_not_asked_about_a_guardian(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.apply("iess")
    (application,) = chat.store.applications
    assert "guardian_name" not in application["answers"]


async def test_nobody_in_chad_mozambique_or_guinea_bissau_is_sent_to_tunisian_services(
    engine: Engine,
) -> None:
    for country in ("td", "mz", "gw"):
        profile = {**ELIGIBLE_PROFILES["essor-biosp"], "country": country}
        chat = await _results(engine, profile)
        assert "✅ Bureaux BIOSP" in chat.text
        for service in TUNISIAN_SERVICES:
            assert service not in chat.text, (country, service)
    other = await _results(engine, {**ELIGIBLE_PROFILES["essor-biosp"], "country": "other"})
    assert not any(service in other.text for service in TUNISIAN_SERVICES)
    assert "humain" in other.text, "someone elsewhere is still pointed to a person"


async def test_after_your_return_advice_reaches_only_people_who_returned(engine: Engine) -> None:
    stayed = await _results(engine, {**ELIGIBLE_PROFILES["iess"], "governorate": "tunis"})
    assert "ANETI" in stayed.text and "OTE" not in stayed.text
    returned = await _results(
        engine,
        {**ELIGIBLE_PROFILES["iess"], "governorate": "tunis", "returned_from_abroad": True},
    )
    assert "OTE" in returned.text


async def test_the_survey_asks_income_in_the_programmes_currency(engine: Engine) -> None:
    for country, name, typed, stored in (
        ("mz", "metical", "1500,50", 150050),
        ("td", "BEAC", "25000", 25000),
        ("gw", "BCEAO", "25000", 25000),
    ):
        chat = Chat(engine, "fr")
        await chat.send("salut")
        chat.conversation.profile = {**ELIGIBLE_PROFILES["essor-biosp"], "country": country}
        await engine.move(
            chat.conversation,
            node="survey",
            params={"survey": 9, "program": "essor-biosp"},
            store=chat.store,
            now=chat.clock(),
        )
        await chat.send("2")
        assert name in chat.text and "dinars" not in chat.text, country
        await chat.send(typed)
        answers = chat.conversation.drafts["survey:9"]
        assert (answers["monthly_revenue"], answers["currency"]) == (
            stored,
            {"mz": "MZN", "td": "XAF", "gw": "XOF"}[country],
        )


async def test_a_tunisian_survey_stays_in_dinars(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    chat.conversation.profile = dict(ELIGIBLE_PROFILES["iess"])
    await engine.move(
        chat.conversation,
        node="survey",
        params={"survey": 3, "program": "iess"},
        store=chat.store,
        now=chat.clock(),
    )
    await chat.send("1")
    assert "dinar tunisien" in chat.text


def test_xaf_has_no_decimals(content: Content) -> None:
    essor = content.programs["essor-biosp"]
    assert [essor.currency_for(c) for c in ("td", "mz", "gw")] == ["XAF", "MZN", "XOF"]


async def test_the_consent_names_the_controller_the_rights_and_the_retention(
    content: Content, catalogs: Catalogs
) -> None:
    engine = _engine(
        content,
        catalogs,
        controller_name="Association Exemple",
        controller_contact="dpo@exemple.tn",
        retention_days=365,
    )
    for lang, words in {
        "fr": ["INPDP", "opposition", "correction", "Telegram", "enquêtes", "1 an", "handicap"],
        "en": ["INPDP", "object", "correct", "WhatsApp", "surveys", "1 year", "disability"],
        "ar": ["INPDP", "الاعتراض", "تصحيحها", "Telegram", "استبيانات", "سنة واحدة"],
        "pt": ["INPDP", "opor-se", "corrigi-los", "WhatsApp", "inquéritos", "1 ano"],
    }.items():
        chat = Chat(engine, lang)
        await chat.send("hello")
        await chat.press("orient")
        text = chat.text
        assert "Association Exemple" in text and "dpo@exemple.tn" in text
        assert "{" not in text
        for word in words:
            assert word in text, (lang, word)


async def test_without_a_named_controller_the_text_says_so_honestly(engine: Engine) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.press("orient")
    assert "l'organisation qui gère ce service" in chat.text and "2 ans" in chat.text


def test_canned_replies_promise_no_delay() -> None:
    from pathlib import Path

    text = Path(__file__).resolve().parents[2] / "conversations/content/canned_replies.yaml"
    body = text.read_text(encoding="utf-8")
    for promise in ("deux semaines", "two weeks", "au moins une semaine", "one week before"):
        assert promise not in body
