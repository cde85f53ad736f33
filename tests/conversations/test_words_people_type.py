"""What people really type: derja in both scripts, French, English, Portuguese of Mozambique and
Guinea-Bissau, with typos. Each input is read as what the person meant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.content_loader import Content
from conversations.engine import Engine
from conversations.matching import KeywordIndex, normalize, within_one_edit
from tests.conversations.chat import Chat
from tests.conversations.test_every_step import _walk_to

#: Real inputs and the meaning the bot must take from them.
MEANINGS: list[tuple[str, str]] = [
    # greetings
    ("3aslema", "greeting"),
    ("Aslema", "greeting"),
    ("asslema!!", "greeting"),
    ("salam", "greeting"),
    ("Salam alikom", "greeting"),
    ("السلام عليكم", "greeting"),
    ("عسلامة", "greeting"),
    ("مرحبا", "greeting"),
    ("Bonjour", "greeting"),
    ("bonsoir", "greeting"),
    ("salut 👋", "greeting"),
    ("Hello", "greeting"),
    ("hi", "greeting"),
    ("Olá", "greeting"),
    ("bom dia", "greeting"),
    ("Boa tarde", "greeting"),
    ("bon dia", "greeting"),
    ("mambo", "greeting"),
    # I do not understand / help
    ("chnowa", "help"),
    ("Chnowa?", "help"),
    ("شنوة", "help"),
    ("شنية", "help"),
    ("mouch fehem", "help"),
    ("ma fhemtech", "help"),
    ("ما فهمتش", "help"),
    ("3awni", "help"),
    ("عاوني", "help"),
    ("aide", "help"),
    ("je comprends pas", "help"),
    ("Je ne comprends pas.", "help"),
    ("help", "help"),
    ("I don't understand", "help"),
    ("não entendo", "help"),
    ("nao percebo", "help"),
    ("n ka ntindi", "help"),
    ("ajuda", "help"),
    # how much
    ("9addech", "how_much"),
    ("qaddech", "how_much"),
    ("قداش", "how_much"),
    ("combien ?", "how_much"),
    ("c'est combien", "how_much"),
    ("how much", "how_much"),
    ("quanto custa?", "how_much"),
    ("Quanto é", "how_much"),
    # yes
    ("باهي", "yes"),
    ("behi", "yes"),
    ("mriguel", "yes"),
    ("مريقل", "yes"),
    ("ey", "yes"),
    ("ايه", "yes"),
    ("oui", "yes"),
    ("ouais", "yes"),
    ("d'accord", "yes"),
    ("OK 👍", "yes"),
    ("yes please", "yes"),
    ("sim", "yes"),
    ("tá bom", "yes"),
    ("está bem", "yes"),
    # no
    ("le", "no"),
    ("la2", "no"),
    ("لا", "no"),
    ("non merci", "no"),
    ("nope", "no"),
    ("não", "no"),
    ("nao obrigado", "no"),
    # stop
    ("yezzi", "stop"),
    ("يزي", "stop"),
    ("barka", "stop"),
    ("stop", "stop"),
    ("STOP!", "stop"),
    ("arrête", "stop"),
    ("ça suffit", "stop"),
    ("chega", "stop"),
    ("basta", "stop"),
    ("unsubscribe", "stop"),
    # I do not know
    ("ma na3rafch", "skip"),
    ("ma n3rafch", "skip"),
    ("ما نعرفش", "skip"),
    ("je sais pas", "skip"),
    ("aucune idée", "skip"),
    ("I don't know", "skip"),
    ("não sei", "skip"),
    ("n ka sibi", "skip"),
    # the words that work at every step
    ("menu", "menu"),
    ("0", "menu"),
    ("قائمة", "menu"),
    ("retour", "back"),
    ("رجوع", "back"),
    ("agent", "human"),
    ("عون", "human"),
    ("langue", "language"),
    ("supprimer mes données", "delete"),
]

#: One typo in a word of five letters or more still reaches its meaning.
TYPOS: list[tuple[str, str]] = [
    ("supprimmer", "delete"),
    ("suprimer", "delete"),
    ("aslemma", "greeting"),
    ("3alsema", "greeting"),
    ("bonjuor", "greeting"),
    ("combein", "how_much"),
    ("9adddech", "how_much"),
    ("retuor", "back"),
    ("langeu", "language"),
    ("mriguell", "yes"),
    ("humian", "human"),
]


@pytest.fixture(scope="module")
def index(content: Content) -> KeywordIndex:
    return KeywordIndex(content.keywords.whole_words())


def test_the_table_is_large_enough() -> None:
    assert len(MEANINGS) >= 60


@pytest.mark.parametrize(("typed", "meaning"), MEANINGS)
def test_real_inputs_have_their_meaning(index: KeywordIndex, typed: str, meaning: str) -> None:
    assert index.kind_of(typed) == meaning


@pytest.mark.parametrize(("typed", "meaning"), TYPOS)
def test_one_typo_in_a_long_word_is_forgiven(
    index: KeywordIndex, typed: str, meaning: str
) -> None:
    assert index.kind_of(typed) is None, "exact matching stays exact"
    assert index.kind_of(typed, typos=True) == meaning


@pytest.mark.parametrize("typed", ["stpo", "mneu", "oiu", "homme", "femme", "Mahdia", "Sousse"])
def test_short_words_and_real_answers_are_not_read_as_typos(
    index: KeywordIndex, typed: str
) -> None:
    """Four letters or fewer are too close to each other; options stay answers."""
    assert index.kind_of(typed, typos=True) is None


def test_no_two_keywords_of_different_meanings_are_one_typo_apart(index: KeywordIndex) -> None:
    assert index.typo_clashes() == []


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=0, max_size=12))
def test_one_edit_is_symmetric_and_needs_close_lengths(word: str) -> None:
    assert within_one_edit(word, word)
    assert within_one_edit(word, word + "x") and within_one_edit(word + "x", word)
    assert not within_one_edit(word, word + "xy")


@given(st.text(min_size=1, max_size=30))
def test_keyword_lookup_never_fails(text: str) -> None:
    index = KeywordIndex({"menu": ["menu"], "stop": ["stop"]})
    kind = index.kind_of(text, typos=True)
    assert kind in (None, "menu", "stop")
    if kind == "menu" and len(normalize(text)) < 5:
        assert normalize(text) == "menu"


@pytest.mark.parametrize("greeting", ["3aslema", "السلام عليكم", "bom dia", "salut"])
async def test_a_greeting_mid_conversation_is_answered_with_the_menu(
    engine: Engine, greeting: str
) -> None:
    chat = Chat(engine, "fr")
    await chat.send("menu")
    await chat.press("programs")
    await chat.send(greeting)
    assert chat.conversation.node == "menu"
    assert "Our programs" in chat.labels or "Nos programmes" in chat.labels


@pytest.mark.parametrize("typed", ["chnowa", "mouch fehem", "I don't understand"])
async def test_help_explains_and_asks_the_same_question_again(engine: Engine, typed: str) -> None:
    chat = Chat(engine, "en")
    await chat.send("hi")
    await chat.press("orient")
    await chat.press("agree")
    await chat.send(typed)
    assert "type «menu»" in chat.text
    assert chat.conversation.params["q"] == "age", "still the same question"
    assert chat.conversation.misunderstood == 0


async def test_how_much_points_to_the_program_pages(engine: Engine) -> None:
    chat = Chat(engine, "ar")
    await chat.send("salam")
    await chat.send("قداش")
    assert "برامجنا" in chat.text
    assert chat.conversation.node == "menu"


async def test_a_typo_of_a_global_word_works_at_a_choice_but_not_in_a_free_answer(
    engine: Engine,
) -> None:
    chat = Chat(engine, "fr")
    await chat.send("salut")
    await chat.press("programs")
    await chat.send("supprimmer")
    assert chat.conversation.node == "delete", "one typo, at a question with buttons"
    await chat.press("cancel")
    named = Chat(engine, "fr")
    await named.send("salut")
    await _walk_to(named, "utss-cad", "form", "full_name")
    await named.send("Salma")
    assert named.conversation.drafts["utss-cad"]["full_name"] == "Salma", "not «salam»"


def test_the_arabic_word_for_crime_is_not_a_spelling_of_germe(content: Content) -> None:
    """«جرم» means crime: a person typing it must never be enrolled in the GERME training."""
    joud = content.programs["joud-nefzaoua"]
    synonyms = [
        word
        for question in joud.form
        for option in (question.options or [])
        for word in (option.synonyms or [])
    ]
    assert "جرم" not in synonyms
    assert "جيرم" in synonyms
