"""Value types shared by every pipeline stage.

Conventions, everywhere in the package:

* A *span* is a half-open pair ``(start, end)`` of character offsets: ``start`` is inclusive,
  ``end`` exclusive, so ``text[start:end]`` is the covered substring.
* *Raw* offsets index the article text as the user gave it (for an HTML file: the text the
  loader rendered from it, see :mod:`llm_extract.text.loading`). *Cleaned* offsets index
  :attr:`Cleaned.text`. :meth:`Cleaned.to_raw` converts the second into the first.
* A *figure* is a number as written plus its scale and unit: ``68.6亿元`` has ``value=68.6``,
  ``scale=1e8``, ``unit="亿元"`` and ``base=6.86e9`` (value times scale, in the unit's base).
"""

from __future__ import annotations

import enum
from array import array
from dataclasses import dataclass, field
from typing import Any


class Kind(enum.StrEnum):
    """What a figure measures. Two figures can only be the same fact when their kinds agree."""

    MONEY = "money"
    PERCENT = "percent"
    POINTS = "points"  # 个百分点: a difference of two percentages
    MULTIPLE = "multiple"  # 倍
    TENTHS = "tenths"  # 成: 三成 is 30%
    AREA = "area"
    COUNT = "count"
    PHYSICAL = "physical"  # 吨, 千瓦时, 公里, 辆, ...
    BARE = "bare"  # a number with a scale but no unit (``2万``)


class Verdict(enum.StrEnum):
    """The outcome of checking one number of a claim against the source."""

    VERIFIED = "verified"
    NOT_IN_SOURCE = "not_in_source"
    NOT_IN_EVIDENCE = "not_in_evidence"
    EVIDENCE_NOT_IN_SOURCE = "evidence_not_in_source"
    UNIT_MISMATCH = "unit_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    SIGN_MISMATCH = "sign_mismatch"
    KIND_MISMATCH = "kind_mismatch"
    UNRELIABLE_SOURCE = "unreliable_source"
    UNPARSABLE_UNIT = "unparsable_unit"
    INDICATOR_NOT_SUPPORTED = "indicator_not_supported"


@dataclass(frozen=True, slots=True)
class Article:
    """One input article. ``text`` is the raw text every reported span points into."""

    doc_id: str
    text: str
    source: str = "<string>"  # file path (and line, for JSONL) it came from


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Cleaned text plus the map back to the raw text.

    ``index[i]`` is the raw offset of cleaned character ``i``; cleaning only deletes
    characters or replaces one character by one character, so the map is monotonic.
    ``unreliable`` lists cleaned spans next to corrupted source text: no number inside or
    touching one of them may be verified.
    """

    raw: str
    text: str
    index: array[int]
    unreliable: tuple[tuple[int, int], ...] = ()

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map the cleaned span ``[start, end)`` to the smallest raw span that covers it."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside cleaned text of length {len(self.text)}")
        if start == end:
            pos = self.index[start] if start < len(self.text) else len(self.raw)
            return pos, pos
        return self.index[start], self.index[end - 1] + 1

    def is_unreliable(self, start: int, end: int) -> bool:
        """Whether the cleaned span ``[start, end)`` touches corrupted source text."""
        return any(start <= u_end and u_start <= end for u_start, u_end in self.unreliable)


@dataclass(frozen=True, slots=True)
class Mention:
    """A figure found in text by :func:`llm_extract.figures.numbers.find_mentions`.

    ``span`` covers the qualifier, number, scale and unit as written (cleaned offsets of
    the text that was scanned). ``direction`` is +1 after 增长/提高…, -1 after 下降/减少…
    or for an explicit minus, 0 when no direction word governs it.
    """

    span: tuple[int, int]
    text: str
    value: float
    scale: float
    unit: str
    kind: Kind
    currency: str | None = None
    qualifier: str | None = None
    direction: int = 0
    direction_word: str | None = None
    high: float | None = None  # upper bound of a range such as 3至5亿元

    @property
    def base(self) -> float:
        """``value`` times ``scale``: the figure in its unit's base (元, 个, 平方米...)."""
        return self.value * self.scale

    @property
    def signed_value(self) -> float:
        """``value`` with the sign its direction word gives it (negative after 下降)."""
        return -abs(self.value) if self.direction < 0 else self.value


@dataclass(frozen=True, slots=True)
class Claim:
    """A statement to check: numbers an extractor says the source writes."""

    indicator: str
    value: float | None = None
    unit: str | None = None
    growth_pct: float | None = None
    evidence: str | None = None
    region: str | None = None
    period: str | None = None
    qualifier: str | None = None
    # The record the claim was read from, as its model dumps it (a user schema's own fields), so
    # that a verified claim can be given back as an instance of that model.
    record: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class NumberCheck:
    """The verdict on one number of a claim. ``span`` is in raw offsets when verified."""

    field: str  # "value" or "growth_pct"
    claimed: float
    verdict: Verdict
    reason: str
    span: tuple[int, int] | None = None
    nearby: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "claimed": self.claimed,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "span": list(self.span) if self.span else None,
        }


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`llm_extract.figures.verify.verify`: every number's check plus evidence.

    ``span`` and ``evidence`` are raw offsets/text covering the claim's figures (the located
    evidence when the claim carried one); ``raw[span[0]:span[1]] == evidence``.
    """

    checks: tuple[NumberCheck, ...]
    span: tuple[int, int] | None = None
    evidence: str | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def verified(self) -> bool:
        return bool(self.checks) and not self.problems and all(c.verdict is Verdict.VERIFIED for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        out = [c.reason for c in self.checks if c.verdict is not Verdict.VERIFIED]
        return [*self.problems, *out]


@dataclass
class Usage:
    """Requests and tokens spent on one article (or a whole run), summed over attempts."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    reasks: int = 0
    runaways: int = 0  # answers cut at their token budget or for looping (then asked once more)
    seconds: float = 0.0

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cache_hits += other.cache_hits
        self.reasks += other.reasks
        self.runaways += other.runaways
        self.seconds += other.seconds

    def as_dict(self) -> dict[str, float | int]:
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cache_hits": self.cache_hits,
            "reasks": self.reasks,
            "runaways": self.runaways,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a backend proposes for one article: claims to verify, plus what it cost.

    ``meta`` is written with every record (``backend``, ``model``, ``prompt_hash`` ...).
    ``errors`` are chunk-level failures (the article still counts as done if some chunks worked).
    """

    claims: tuple[Claim, ...]
    meta: dict[str, object]
    usage: Usage = field(default_factory=Usage)
    errors: tuple[str, ...] = ()
    rejected: tuple[tuple[Claim, str], ...] = ()  # claims the backend itself gave up on, with why
    chunks: tuple[dict[str, object], ...] = ()  # per chunk: span, requests, re-asks, tokens, seconds
