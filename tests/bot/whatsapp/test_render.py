"""Outgoing messages as Graph API payloads that Meta accepts (checked by the double's rules)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.whatsapp.render import (
    MORE_PREFIX,
    Labels,
    TemplateRef,
    after_more,
    render,
    render_template,
)
from conversations.messages import Choice, Outgoing
from tests.bot.whatsapp.test_shorten import labels as label_texts
from tests.doubles.whatsapp_api import check_payload

LABELS = Labels(more="Plus…", choose="Choisir")
TO = "21698123456"


def ask(count: int, text: str = "Quelle est votre situation ?", label: str = "Choix") -> Outgoing:
    choices = tuple(Choice(f"ab12cd.c{i}", f"{label} {i}") for i in range(1, count + 1))
    return Outgoing(text=text, language="fr", choices=choices)


def accepted(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for payload in payloads:
        assert check_payload(payload) is None, (check_payload(payload), payload)
    return payloads


def test_plain_text() -> None:
    [payload] = accepted(render(TO, Outgoing(text="Bonjour", language="fr"), LABELS))
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "text": {"preview_url": False, "body": "Bonjour"},
    }


def test_up_to_three_choices_are_reply_buttons() -> None:
    for count in (1, 2, 3):
        [payload] = accepted(render(TO, ask(count), LABELS))
        interactive = payload["interactive"]
        assert interactive["type"] == "button"
        assert [b["reply"]["id"] for b in interactive["action"]["buttons"]] == [
            f"ab12cd.c{i}" for i in range(1, count + 1)
        ]


def test_four_to_ten_choices_are_a_list() -> None:
    for count in (4, 10):
        [payload] = accepted(render(TO, ask(count), LABELS))
        interactive = payload["interactive"]
        assert interactive["type"] == "list"
        assert interactive["action"]["button"] == "Choisir"
        assert len(interactive["action"]["sections"][0]["rows"]) == count


def test_more_than_ten_choices_show_nine_and_more() -> None:
    [payload] = accepted(render(TO, ask(24), LABELS))
    rows = payload["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows[:9]] == [f"ab12cd.c{i}" for i in range(1, 10)]
    assert rows[9] == {"id": f"{MORE_PREFIX}ab12cd.c9", "title": "Plus…"}
    assert after_more(rows[9]["id"]) == "ab12cd.c9"


def test_long_labels_are_shortened_and_kept_whole_in_the_row_description() -> None:
    message = Outgoing(
        text="Secteur ?",
        language="fr",
        choices=tuple(
            Choice(f"t.{i}", f"Transformation agroalimentaire numéro {i}") for i in range(5)
        ),
    )
    [payload] = accepted(render(TO, message, LABELS))
    rows = payload["interactive"]["action"]["sections"][0]["rows"]
    assert all(len(r["title"]) <= 24 for r in rows) and len({r["title"] for r in rows}) == 5
    assert rows[0]["description"] == "Transformation agroalimentaire numéro 0"


def test_long_button_labels_are_unique_and_short() -> None:
    message = Outgoing(
        text="Confirmez-vous ?",
        language="fr",
        choices=(
            Choice("t.yes", "Oui, supprimer toutes mes données"),
            Choice("t.no", "Non, garder toutes mes données"),
        ),
    )
    [payload] = accepted(render(TO, message, LABELS))
    titles = [b["reply"]["title"] for b in payload["interactive"]["action"]["buttons"]]
    assert titles == ["Oui, supprimer…", "Non, garder toutes…"]


def test_a_long_body_with_choices_sends_its_beginning_first() -> None:
    text = "\n\n".join(f"Paragraphe {i}. " + "mot " * 60 for i in range(8))
    payloads = accepted(render(TO, ask(2, text=text), LABELS))
    assert [p["type"] for p in payloads[:-1]] == ["text"] * (len(payloads) - 1)
    assert payloads[-1]["type"] == "interactive" and len(payloads) > 1
    bodies = [p["text"]["body"] for p in payloads[:-1]] + [
        payloads[-1]["interactive"]["body"]["text"]
    ]
    assert "".join("".join(bodies).split()) == "".join(text.split())


def test_a_long_text_is_split_into_messages_of_4096() -> None:
    text = "\n\n".join("phrase " * 500 for _ in range(3))
    payloads = accepted(render(TO, Outgoing(text=text, language="fr"), LABELS))
    assert len(payloads) >= 3 and all(p["type"] == "text" for p in payloads)


def test_arabic_choices() -> None:
    message = Outgoing(
        text="ما هو وضعك المهني؟",
        language="ar",
        direction="rtl",
        choices=(
            Choice("t.a", "عاطل عن العمل منذ أكثر من سنة"),
            Choice("t.b", "أعمل في القطاع غير المنظم 🌱"),
            Choice("t.c", "طالب"),
        ),
    )
    [payload] = accepted(render(TO, message, Labels(more="المزيد…", choose="اختر")))
    titles = [b["reply"]["title"] for b in payload["interactive"]["action"]["buttons"]]
    assert titles == ["عاطل عن العمل منذ…", "أعمل في القطاع غير…", "طالب"]


def test_a_template_carries_the_text_on_one_line() -> None:
    [payload] = accepted(
        render_template(
            TO, TemplateRef("massar_message", "fr"), "Bonjour,\n\nVotre dossier\test prêt."
        )
    )
    assert payload["type"] == "template"
    assert payload["template"] == {
        "name": "massar_message",
        "language": {"code": "fr"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Bonjour, · Votre dossier est prêt."}],
            }
        ],
    }


def test_a_long_template_text_goes_in_several_templates() -> None:
    payloads = accepted(render_template(TO, TemplateRef("massar_message", "ar"), "كلمة " * 500))
    assert len(payloads) > 1 and all(p["type"] == "template" for p in payloads)


choices = st.lists(
    st.tuples(
        st.from_regex(r"[a-f0-9]{6}\.[a-z_]{1,30}", fullmatch=True),
        st.one_of(label_texts, st.text(max_size=40)),
    ),
    max_size=30,
    unique_by=lambda c: c[0],
)
texts = st.one_of(label_texts, st.text(min_size=1, max_size=5000).filter(str.strip))


@settings(max_examples=300, deadline=None)
@given(texts, choices)
def test_meta_accepts_whatever_the_engine_says(text: str, options: list[tuple[str, str]]) -> None:
    message = Outgoing(
        text=text, language="fr", choices=tuple(Choice(i, label) for i, label in options)
    )
    payloads = accepted(render(TO, message, LABELS))
    assert payloads
    if options:
        last = payloads[-1]["interactive"]
        shown = last["action"].get("buttons") or last["action"]["sections"][0]["rows"]
        assert len(shown) == min(len(options), 10)
