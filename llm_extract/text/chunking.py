"""Chunking: cleaned text to model-sized pieces with offsets, never cutting a figure.

Text is split into sentences (after ``。！？；!?;`` and line breaks), and sentences are packed
into chunks of at most ``max_tokens`` estimated tokens; consecutive chunks share their border
sentence (``overlap`` sentences) so that a figure whose context spans the border is seen
whole once. A cut never falls inside a figure, between a figure and its unit, or between a
direction word and its rate (``增长\\n5%`` stays together). A sentence longer than the budget is
cut at commas, then anywhere allowed.

>>> [c.text for c in chunk("甲增长5%。乙下降3%。", max_tokens=6, overlap=0)]
['甲增长5%。', '乙下降3%。']

Token counts are estimated, not tokenised (no tokenizer file can be downloaded here): one token
per CJK character and per four other characters, a little above what ``o200k_base`` counts
for Chinese news, so chunks stay within budget.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from llm_extract.figures.numbers import find_mentions

__all__ = ["Chunk", "chunk", "estimate_tokens"]

_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n+")
_CLAUSE_END = re.compile(r"[，,、：:]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True, slots=True)
class Chunk:
    """``text == cleaned_text[start:end]``; offsets are cleaned-text offsets."""

    index: int
    start: int
    end: int
    text: str


def estimate_tokens(text: str) -> int:
    """Estimated tokens of ``text``: CJK characters count one, others a quarter."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def _protected(text: str) -> list[tuple[int, int]]:
    """Spans no cut may fall strictly inside: figures, each with its direction word."""
    spans = []
    for m in find_mentions(text):
        start = m.span[0]
        if m.direction_word:
            found = text.rfind(m.direction_word, max(0, start - 24), start)
            if found >= 0:
                start = found
        spans.append((start, m.span[1]))
    return spans


class _Cuts:
    """Answers whether a cut at an offset would split a protected span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def allowed(self, pos: int) -> bool:
        i = bisect.bisect_left(self.starts, pos)
        return all(not (s < pos < e) for s, e in self.spans[max(0, i - 8) : i])


def _units(text: str, cuts: _Cuts) -> list[tuple[int, int]]:
    """Sentences as (start, end), merged where a cut would split a figure."""
    bounds = [0]
    for m in _SENTENCE_END.finditer(text):
        if cuts.allowed(m.end()):
            bounds.append(m.end())
    if bounds[-1] != len(text):
        bounds.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _split_long(text: str, start: int, end: int, max_tokens: int, cuts: _Cuts) -> list[tuple[int, int]]:
    """Cut one over-long sentence at commas, else at any allowed offset, within budget."""
    pieces = []
    pos = start
    while estimate_tokens(text[pos:end]) > max_tokens:
        limit = pos + 1
        while limit < end and estimate_tokens(text[pos : limit + 1]) <= max_tokens:
            limit += 1
        cut = next(
            (m.end() for m in reversed(list(_CLAUSE_END.finditer(text, pos, limit))) if cuts.allowed(m.end())), 0
        )
        if cut <= pos:
            cut = next((p for p in range(limit, pos, -1) if cuts.allowed(p)), pos)
        if cut <= pos:  # one figure longer than the budget: keep it whole
            cut = next((p for p in range(limit, end) if cuts.allowed(p)), end)
        pieces.append((pos, cut))
        pos = cut
    if pos < end:
        pieces.append((pos, end))
    return pieces


def chunk(text: str, *, max_tokens: int = 600, overlap: int = 1) -> list[Chunk]:
    """Pack sentences of ``text`` into chunks of at most ``max_tokens`` estimated tokens."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    if not text:
        return []
    cuts = _Cuts(_protected(text))
    units: list[tuple[int, int]] = []
    for start, end in _units(text, cuts):
        if estimate_tokens(text[start:end]) > max_tokens:
            units.extend(_split_long(text, start, end, max_tokens, cuts))
        else:
            units.append((start, end))
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and estimate_tokens(text[units[i][0] : units[j][1]]) <= max_tokens:
            j += 1
        start, end = units[i][0], units[j - 1][1]
        chunks.append(Chunk(len(chunks), start, end, text[start:end]))
        if j >= len(units):
            break
        i = max(i + 1, j - overlap)
    return chunks
