"""Snippets: every mark encloses one word the query matched, whatever the analysis did to the
text; passages start and end at word boundaries."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import terms
from indexer.snippets import make_snippet

MARK = re.compile(r"<mark>(.*?)</mark>")
TRICKY = [
    "V.I.E.",
    "l'Assurance",
    "d’exportation",
    "œuvre",
    "ﬁnancement",
    "Grande-Bretagne",
    "Bretagne",
    "États-Unis",
    "P.M.E",
    "aujourd'hui",
    "douanières",
    "prospection",
    "Côte d'Ivoire",
    "export",
    "…",
    "«",
    "»",
    "&",
    "<b>",
    "1 200 €",
    "sous-traitance",
    "sous",
    "traitance",
    "traité",
    "non-UE",
    "co-exposants",
]
WORDS = st.sampled_from(TRICKY) | st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=12
)


def marked_words(html: str) -> list[str]:
    return [unescape(m) for m in MARK.findall(html)]


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=60), st.lists(WORDS, min_size=1, max_size=4))
def test_every_mark_encloses_a_word_of_the_query(text_words, query_words):
    text = " ".join(text_words)
    wanted = frozenset(t for w in query_words for t in terms(w))
    html = make_snippet(text, wanted)
    for word in marked_words(html):
        assert terms(word) and set(terms(word)) <= wanted, (word, html)
    # Marks and escaping: removing the marks gives back escaped text.
    assert "<" not in MARK.sub("", html)


def test_marks_land_on_the_right_characters_after_dotted_acronyms():
    text = "Le V.I.E. est financé par l'Assurance prospection de Bpifrance."
    html = make_snippet(text, frozenset(terms("assurance prospection")))
    assert "<mark>Assurance</mark> <mark>prospection</mark>" in html


def test_typographic_apostrophes_ligatures_and_oe_are_marked_whole():
    text = "Le ﬁnancement d’exportation et la main-d’œuvre."
    html = make_snippet(text, frozenset(terms("financement exportation oeuvre")))
    assert marked_words(html) == ["ﬁnancement", "exportation", "œuvre"]


def test_bretagne_is_not_marked_inside_grande_bretagne():
    text = "Exporter en Grande-Bretagne depuis la Bretagne."
    assert marked_words(make_snippet(text, frozenset(terms("Bretagne")))) == ["Bretagne"]


def test_a_compound_is_marked_whole_and_its_head_alone_is_not_marked():
    text = "La sous-traitance mécanique, les sous traitants et le traité UE-Canada."
    html = make_snippet(text, frozenset(terms("sous-traitance")))
    assert marked_words(html) == ["sous-traitance", "sous traitants"]


def test_phrase_words_are_marked_only_where_they_follow_each_other():
    text = "Un crédit bancaire. Le crédit documentaire sécurise le paiement."
    html = make_snippet(text, frozenset(), frozenset({tuple(terms("crédit documentaire"))}))
    assert marked_words(html) == ["crédit", "documentaire"]


def test_long_passages_start_and_end_at_word_boundaries():
    filler = " ".join(f"mot{i}" for i in range(80))
    text = f"{filler} les formalités douanières sont simples {filler}."
    html = make_snippet(text, frozenset(terms("douanières")), maxchars=120)
    body = MARK.sub(lambda m: m[1], html).strip("…")
    words = body.split()
    assert all(re.fullmatch(r"mot\d+|les|formalités|douanières|sont|simples", w) for w in words)
    assert html.startswith("…") and html.endswith("…")


def test_the_best_sentence_is_the_one_with_most_query_words():
    text = "Le salon ouvre en mars. Le pavillon France au salon de Dubaï accueille les PME."
    html = make_snippet(text, frozenset(terms("salon Dubaï")), passages=1)
    assert "Dubaï" in html and "ouvre en mars" not in html


def test_without_any_match_the_start_of_the_text_is_shown_whole_words():
    text = "Un texte " + "assez long " * 40
    html = make_snippet(text, frozenset(terms("douane")), maxchars=50)
    assert html.endswith("…") and not html[:-1].endswith(("ass", "lon"))
