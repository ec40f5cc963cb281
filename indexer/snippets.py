"""Highlighted extracts of a page for a result list.

The words are found by the index's own analysis, with their exact place in the original text
(`FrenchTokenizer` keeps offsets through « V.I.E. », elisions, « œ », ligatures and joined
place names), so every `<mark>` encloses one whole word that the query matched. An extract is
the passage with the most distinct query words, cut at sentence or word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape

from whoosh.analysis import Analyzer

from indexer.analysis import french_analyzer

SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\n+")
LEAD = 60  # characters of context kept before the first marked word of a long passage


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    term: str


@cache
def _analyzer() -> Analyzer:
    return french_analyzer()


Phrases = frozenset[tuple[str, ...]]


def matches(text: str, terms: frozenset[str], phrases: Phrases = frozenset()) -> list[_Word]:
    """The words of `text` whose analysed form is one of `terms`, or that belong to a run of
    words forming one of `phrases` (analysed words in a row), in order."""
    if not (terms or phrases) or not text:
        return []
    tokens = [(t.startchar, t.endchar, t.text) for t in _analyzer()(text, chars=True)]
    marked = [word in terms for _, _, word in tokens]
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(tokens) - size + 1):
            if tuple(word for _, _, word in tokens[i : i + size]) == phrase:
                marked[i : i + size] = [True] * size
    return [
        _Word(start, end, word)
        for (start, end, word), keep in zip(tokens, marked, strict=True)
        if keep and end > start
    ]


def make_snippet(
    text: str,
    terms: frozenset[str],
    phrases: Phrases = frozenset(),
    maxchars: int = 240,
    passages: int = 2,
) -> str:
    """HTML: the best passages of `text` with the matched words in <mark>, escaped."""
    text = " ".join(text.split())
    words = matches(text, terms, phrases)
    if not words:
        return escape(_cut(text, 0, maxchars), quote=False)
    chosen = _best_passages(text, words, passages)
    budget = maxchars // len(chosen)
    parts = [_render(text, start, end, words, budget) for start, end in chosen]
    return " … ".join(parts)


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _best_passages(text: str, words: list[_Word], count: int) -> list[tuple[int, int]]:
    """The sentences holding the most distinct query words (then the most words), in text
    order; the second only when it adds a word the first lacks."""
    scored = []
    for start, end in _sentences(text):
        inside = [w for w in words if start <= w.start < end]
        if inside:
            distinct = {w.term for w in inside}
            scored.append((len(distinct), len(inside), -start, start, end, distinct))
    scored.sort(reverse=True)
    best = [scored[0]]
    for candidate in scored[1:]:
        if len(best) >= count:
            break
        if candidate[5] - best[0][5]:
            best.append(candidate)
    return sorted((s[3], s[4]) for s in best)


def _render(text: str, start: int, end: int, words: list[_Word], budget: int) -> str:
    """One passage, shortened to `budget` characters around its first marked word."""
    inside = [w for w in words if start <= w.start and w.end <= end]
    if end - start > budget:
        first = inside[0].start if inside else start
        begin = _word_start(text, max(start, first - LEAD), start)
        stop = _word_end(text, min(end, begin + budget), begin, end)
        start_cut, end_cut = begin > start, stop < end
        start, end = begin, stop
    else:
        start_cut = end_cut = False
    out, pos = [], start
    for w in inside:
        if w.start < pos or w.end > end:
            continue
        out.append(escape(text[pos : w.start], quote=False))
        out.append(f"<mark>{escape(text[w.start : w.end], quote=False)}</mark>")
        pos = w.end
    out.append(escape(text[pos:end], quote=False))
    return ("…" if start_cut else "") + "".join(out).strip() + ("…" if end_cut else "")


def _word_start(text: str, pos: int, floor: int) -> int:
    """`pos`, moved forward to the start of a word (never before `floor`)."""
    if pos <= floor:
        return floor
    while pos < len(text) and not text[pos - 1].isspace():
        pos += 1
    return pos


def _word_end(text: str, pos: int, floor: int, ceiling: int) -> int:
    """`pos`, moved back to the end of a word (a space follows)."""
    if pos >= ceiling:
        return ceiling
    back = pos
    while back > floor and not text[back].isspace():
        back -= 1
    return back if back > floor else pos


def _cut(text: str, start: int, maxchars: int) -> str:
    if len(text) - start <= maxchars:
        return text[start:]
    end = _word_end(text, start + maxchars, start, len(text))
    return text[start:end].rstrip(" ,;:") + "…"
