"""Meta's webhook payloads (tests/fixtures/whatsapp, shapes from Meta's reference) parsed."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.whatsapp.inbound import MoreRequest, parse_webhook
from conversations.messages import Attachment, Incoming
from tests.bot.whatsapp.driver import FIXTURES, fixture, webhook

WAMID_PREFIX = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQz"


def only_message(name: str) -> Incoming:
    batch = parse_webhook(fixture(name))
    assert len(batch.messages) == 1 and not batch.statuses and not batch.more
    envelope = batch.messages[0]
    assert envelope.channel == "whatsapp"
    assert envelope.address == "16505551234"
    assert envelope.external_id.startswith(WAMID_PREFIX)
    return envelope.incoming


def test_text() -> None:
    assert only_message("text").text == "Does it come in another color?"


def test_reply_buttons_and_list_rows_are_the_choice_pressed() -> None:
    assert only_message("interactive_button_reply") == Incoming(choice_id="a1b2c3.yes")
    assert only_message("interactive_list_reply") == Incoming(choice_id="a1b2c3.kasserine")


def test_a_template_quick_reply_is_its_text() -> None:
    assert only_message("button").text == "Continue"


def test_location_is_an_attachment_with_latitude_and_longitude() -> None:
    incoming = only_message("location")
    assert incoming.attachments == (
        Attachment("location", "40.782910059774,-73.959075808525", None),
    )
    assert incoming.text is None


def test_media_are_kept_as_references_without_their_captions() -> None:
    assert only_message("image").attachments == (
        Attachment("image", "1003383421387256", "image/jpeg"),
    )
    assert only_message("image").text is None, "a caption is not an answer to the question"
    assert only_message("audio").attachments == (
        Attachment("audio", "1245780963829481", "audio/mpeg"),
    )
    assert only_message("voice").attachments == (
        Attachment("voice", "1981526732650328", "audio/ogg; codecs=opus"),
    )
    assert only_message("document").attachments == (
        Attachment("document", "1320583232578731", "application/pdf"),
    )


def test_reactions_are_ignored() -> None:
    batch = parse_webhook(fixture("reaction"))
    assert batch.messages == [] and batch.ignored == ["reaction"]


def test_unknown_types_are_named_and_still_answered_with_the_question() -> None:
    for name in ("unsupported", "contacts"):
        assert only_message(name) == Incoming()
        note = parse_webhook(fixture(name)).ignored[0]
        assert f"unsupported message type '{name}'" in note
        assert "Barbara" not in note and "940" not in note, "no personal data in the log"


def test_statuses_in_order_of_the_fixtures() -> None:
    for state in ("sent", "delivered", "read"):
        batch = parse_webhook(fixture(f"status_{state}"))
        assert [s.status for s in batch.statuses] == [state] and not batch.messages
        assert batch.statuses[0].timestamp is not None
    failed = parse_webhook(fixture("status_failed")).statuses[0]
    assert failed.status == "failed"
    assert failed.errors[0].code == 131047
    assert failed.errors[0].describe().startswith("131047: Re-engagement message (Message failed")


def test_system_errors_are_reported_not_raised() -> None:
    batch = parse_webhook(fixture("system_error"))
    assert batch.ignored == [
        "error 130429: Rate limit hit (Cloud API message throughput has been reached.)"
    ]


def test_a_more_row_is_a_request_for_the_next_choices() -> None:
    message = {
        "from": "25884123456",
        "id": "wamid.more1",
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": "more~ab12cd.jendouba"}},
    }
    batch = parse_webhook(webhook(messages=[message]))
    assert batch.more == [MoreRequest("25884123456", "wamid.more1", "ab12cd.jendouba")]
    assert batch.messages == []


def test_the_number_suggests_a_language_where_the_country_speaks_one() -> None:
    def hint(wa_id: str) -> str | None:
        message = {"from": wa_id, "id": f"wamid.{wa_id}", "type": "text", "text": {"body": "hi"}}
        return parse_webhook(webhook(messages=[message])).messages[0].incoming.language_hint

    assert hint("258841234567") == "pt"  # Mozambique
    assert hint("245955123456") == "pt"  # Guinea-Bissau
    assert hint("23566123456") == "fr"  # Chad
    assert hint("21698123456") is None  # Tunisia: the deployment's default


def test_other_objects_and_fields_are_ignored() -> None:
    assert parse_webhook({"object": "page", "entry": []}).ignored == ["object 'page'"]
    payload = fixture("text")
    payload["entry"][0]["changes"][0]["field"] = "account_update"
    assert parse_webhook(payload).ignored == ["field 'account_update'"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=30,
)
FIXTURE_NAMES = sorted(p.stem for p in FIXTURES.glob("*.json") if not p.stem.endswith(".raw"))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_is_parsed_without_raising(value: Any) -> None:
    parse_webhook(value)
    parse_webhook({"object": "whatsapp_business_account", "entry": value})


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in items:
        found += _paths(child, (*prefix, key))
    return found


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FIXTURE_NAMES), st.data(), json_values)
def test_a_fixture_with_any_part_replaced_is_parsed_without_raising(
    name: str, data: st.DataObject, replacement: Any
) -> None:
    payload = copy.deepcopy(fixture(name))
    path = data.draw(st.sampled_from(_paths(payload)))
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = replacement
    parse_webhook(json.loads(json.dumps(payload)))
