"""The commonest function words of French and English, shared by the crawler (which guesses a
page's language) and the classifier (which keeps English pages out of the journey)."""

from __future__ import annotations

FRENCH_WORDS = frozenset(
    {
        "le", "la", "les", "des", "du", "et", "est", "pour", "une", "dans",
        "vous", "avec", "sur", "qui", "au", "aux", "votre", "vos", "ce", "que",
    }
)  # fmt: skip
ENGLISH_WORDS = frozenset(
    {
        "the", "and", "of", "to", "is", "for", "with", "your", "you", "are",
        "on", "that", "this", "our", "we", "it", "by", "from",
    }
)  # fmt: skip
