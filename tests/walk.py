"""A random walk through the conversation, the same on every channel: 200 steps of typing
global words, noise and numbers, and pressing whatever button is shown (old ones included).
Every global word and every button press must get an answer, whatever state the walk is in,
handoffs included."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

#: Words that work at every step, in the languages people use.
GLOBAL_WORDS: tuple[str, ...] = (
    "menu",
    "0",
    "قائمة",
    "retour",
    "back",
    "agent",
    "عون",
    "humain",
    "langue",
    "stop",
    "yezzi",
    "salam",
    "3aslema",
    "السلام عليكم",
    "chnowa",
    "mouch fehem",
    "9addech",
    "قداش",
    "aide",
    "supprimer",
)
NOISE: tuple[str, ...] = ("banana", "xyz", "?", "🙂", "ok", "le", "27", "3", "22 333 444")


@dataclass
class WalkChannel:
    """How the walk talks to one channel: type a text, press one of the visible choices
    (returns ``False`` when none is shown), each returning the texts the bot answered."""

    say: Callable[[str], Awaitable[list[str]]]
    press_any: Callable[[random.Random], Awaitable[list[str] | None]]
    log: list[str] = field(default_factory=list)


async def random_walk(channel: WalkChannel, *, steps: int = 200, seed: int = 7) -> dict[str, int]:
    """Walk ``steps`` steps; returns how many of each kind of step were taken."""
    rng = random.Random(seed)
    counts = {"global": 0, "press": 0, "noise": 0}
    old_press: list[str] | None = None
    for number in range(steps):
        roll = rng.random()
        if roll < 0.35:
            word = rng.choice(GLOBAL_WORDS)
            replies = await channel.say(word)
            channel.log.append(f"{number}: say {word!r} -> {len(replies)}")
            assert replies, f"step {number}: «{word}» got no answer\n" + "\n".join(channel.log)
            counts["global"] += 1
        elif roll < 0.85:
            pressed = await channel.press_any(rng)
            if pressed is None:
                replies = await channel.say(rng.choice(GLOBAL_WORDS[:3]))
                assert replies, f"step {number}: no answer\n" + "\n".join(channel.log)
                continue
            channel.log.append(f"{number}: press -> {len(pressed)}")
            assert pressed, f"step {number}: a button got no answer\n" + "\n".join(channel.log)
            old_press = pressed
            counts["press"] += 1
        else:
            text = rng.choice(NOISE)
            replies = await channel.say(text)
            channel.log.append(f"{number}: say {text!r} -> {len(replies)}")
            counts["noise"] += 1
    assert old_press is not None
    return counts
