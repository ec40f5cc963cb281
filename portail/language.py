"""The commonest function words of French and English, shared by the crawler (which guesses a
page's language, shown « en anglais » in results) and the classifier (which, without its model,
keeps English pages out; with it, English export-support pages enter the journey)."""

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


def decimal(value: float, digits: int) -> str:
    """« 95,8 », « 0,817 »: a number with a decimal comma, as French readers write it."""
    return f"{value:.{digits}f}".replace(".", ",")


def plural(count: int, noun: str, plural_form: str = "") -> str:
    """« 0 erreur », « 1 page ajoutée », « 3 pages ajoutées »: below 2 French takes the
    singular; the plural adds an s to every word, unless `plural_form` is given (« mises à
    jour »)."""
    if count < 2:
        return f"{count} {noun}"
    if not plural_form:
        plural_form = " ".join(w if w.endswith(("s", "x")) else w + "s" for w in noun.split())
    return f"{count} {plural_form}"
