"""The content check says where a label will not show whole on WhatsApp, and how it will read."""

from __future__ import annotations

import shutil
from pathlib import Path

from conversations.content_loader import DEFAULT_CONTENT_DIR, Content, load_content
from conversations.labels import display_length


def test_the_bundled_content_warns_only_about_labels_over_their_limit(content: Content) -> None:
    for warning in content.warnings:
        if "addresses the person in one form" in warning:
            continue  # the gender reminders, tested in test_reading
        assert "WhatsApp" in warning and "so it will read «" in warning
        limit = 20 if "buttons show 20" in warning else 24
        assert f"show {limit}" in warning
        shown = warning.split("«")[1].split("»")[0]
        assert display_length(shown) <= limit


def test_a_button_label_that_must_be_cut_mid_word_is_named(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    profile = root / "profile.yaml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace('fr: "Un homme"', 'fr: "Anticonstitutionnellement homme"')
    text = text.replace('ar: "امرأة"', 'ar: "امرأة تعمل في الفلاحة والصيد"')
    profile.write_text(text, encoding="utf-8")
    warnings = [w for w in load_content(root).warnings if "questions (gender)" in w]
    assert warnings == [
        "profile.yaml: questions (gender): option 'woman' in ar has 28 characters; WhatsApp "
        "buttons show 20, so it will read «امرأة تعمل…»",
        "profile.yaml: questions (gender): option 'man' in fr has 31 characters; WhatsApp "
        "buttons show 20, so it will read «Anticonstitutionnel…»: a word has to be cut, please "
        "rephrase it",
    ]
