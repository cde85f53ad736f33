"""Reading the answer to «who is writing?»: forgiving, and never a person out of thin air."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from conversations.content_loader import Content
from conversations.engine import Engine
from conversations.i18n import Catalogs
from conversations.messages import Incoming
from conversations.testing import MemoryStore
from conversations.writers import PREFIX, Writer, answer, candidates, question, says_not_me

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NAMES = st.one_of(st.none(), st.sampled_from(["Amira", "Salma", "Mohamed", "Zied", "أمينة"]))
WRITERS = st.lists(
    st.builds(Writer, key=st.integers(1, 10_000), name=NAMES), min_size=1, max_size=5
).filter(lambda ws: len({w.key for w in ws}) == len(ws))


@given(writers=WRITERS, text=st.text(max_size=40))
def test_nothing_typed_picks_anyone_unless_the_question_was_asked(
    catalogs: Catalogs, content: Content, writers: list[Writer], text: str
) -> None:
    tr = catalogs.get("fr")
    words = content.keywords.someone_else
    assert answer(Incoming(text=text), tr, writers, words, typed=False) is None


@given(writers=WRITERS, text=st.text(max_size=40), typed=st.booleans())
def test_an_answer_is_always_one_of_the_people_here_or_someone_new(
    catalogs: Catalogs, content: Content, writers: list[Writer], text: str, typed: bool
) -> None:
    tr = catalogs.get("ar")
    found = answer(Incoming(text=text), tr, writers, content.keywords.someone_else, typed=typed)
    assert found is None or found == "new" or found in {w.key for w in writers}


@given(writers=WRITERS, data=st.data())
def test_each_button_and_its_number_pick_that_person(
    catalogs: Catalogs, content: Content, writers: list[Writer], data: st.DataObject
) -> None:
    tr = catalogs.get("pt")
    words = content.keywords.someone_else
    index = data.draw(st.integers(0, len(writers) - 1))
    chosen = writers[index].key
    button = Incoming(choice_id=f"{PREFIX}{chosen}")
    assert answer(button, tr, writers, words, typed=False) == chosen
    assert answer(Incoming(text=str(index + 1)), tr, writers, words, typed=True) == chosen
    eastern = str(index + 1).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert answer(Incoming(text=eastern), tr, writers, words, typed=True) == chosen
    last = str(len(writers) + 1)
    assert answer(Incoming(text=last), tr, writers, words, typed=True) == "new"


def test_someone_else_in_words_and_an_old_someone_else_button(
    catalogs: Catalogs, content: Content
) -> None:
    tr = catalogs.get("fr")
    words = content.keywords.someone_else
    writers = [Writer(1, "Amira"), Writer(2, None)]
    for typed in ("quelqu'un d'autre", "wa7ed ekher", "شخص آخر", "outra pessoa"):
        assert answer(Incoming(text=typed), tr, writers, words, typed=True) == "new"
    old = Incoming(choice_id=f"{PREFIX}new")
    assert answer(old, tr, writers, words, typed=False) is None, "no second new person"
    assert answer(Incoming(choice_id="ab12.menu"), tr, writers, words, typed=True) is None
    assert answer(Incoming(text="amirra"), tr, writers, words, typed=True) == 1
    assert answer(Incoming(text="personne 2"), tr, writers, words, typed=True) == 2


def test_the_question_names_people_by_first_name_or_a_neutral_label(
    catalogs: Catalogs, content: Content
) -> None:
    tr = catalogs.get("fr")
    words = content.keywords.someone_else
    writers = [Writer(7, "Amira"), Writer(8, None), Writer(9, "Amira")]
    labels = [c.label for c in candidates(tr, writers, words)]
    assert labels == ["Amira (1)", "Personne 2", "Amira (3)", "Quelqu'un d'autre"]
    asked = question(tr, writers, words, unread=True)
    assert [c.id for c in asked.choices] == ["who.7", "who.8", "who.9", "who.new"]
    assert "envoyez à nouveau votre message" in asked.text


def test_i_am_not_counts_only_with_the_persons_own_name(content: Content) -> None:
    beginnings = content.keywords.not_me
    assert says_not_me("Je ne suis pas Amira", beginnings, "Amira")
    assert says_not_me("ena mouch amira", beginnings, "Amira")
    assert not says_not_me("je ne suis pas sûre", beginnings, "Amira")
    assert not says_not_me("je ne suis pas Amira", beginnings, None)


async def test_the_engine_passes_the_phone_on_from_any_step_and_keeps_the_place(
    engine: Engine,
) -> None:
    store = MemoryStore()
    conversation = engine.new_conversation("fr")
    await engine.handle(conversation, Incoming(text="bonjour"), store=store, now=NOW)
    conversation.known = {"name": "Amira Ben Salah"}
    conversation.node, conversation.params = "mydata", {}
    for said in ("je ne suis pas Amira", "quelqu'un d'autre", "mouch ena"):
        replies = await engine.handle(conversation, Incoming(text=said), store=store, now=NOW)
        assert replies == [], "the backend asks who is writing"
        assert (conversation.node, conversation.params) == ("mydata", {})
    assert store.passed_on == 3
    replies = await engine.greet_writer(conversation, store=store, now=NOW, name="Amira")
    assert replies[0].text == "Merci, Amira."
    assert replies[-1].text == "Vos données et vos messages :"
