"""Scoring predictions against gold facts (the metric of ``eval/README.md``).

A prediction and a gold fact are about the same figure when they belong to the same document,
share a number — the level (value scaled by its unit, same kind and currency) or the growth
rate — and their indicator names overlap (character-bigram Dice >= 0.3, or one contains the
other). Matching is one-to-one, best overlap first. Precision is matched predictions over all
predictions; recall is matched gold over all gold (tier 1, tier 2, all). A gold fact with a
level and a growth is *fully* found only when both numbers are right: ``full_recall`` and
``strict_f1`` use that; ``level_recall`` and ``growth_recall`` count each number alone.

On every matched pair the record's place and time are scored too (``region_right``,
``period_right``: shares of matched pairs), with the product's own normalisation
(:func:`llm_extract.attributes.places.same_region`, :func:`llm_extract.attributes.periods.same_period`); a pair counts
for ``record_precision`` / ``record_recall`` / ``record_f1`` only when both are right.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_extract.attributes.periods import same_period
from llm_extract.attributes.places import same_region
from llm_extract.figures.numbers import parse_unit
from llm_extract.types import Kind

__all__ = ["DocScore", "Score", "dice", "evaluate", "load_jsonl"]


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file; raises ``ValueError`` naming the file and line of a bad row."""
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object")
            rows.append(row)
    return rows


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or ([text] if text else [])


def dice(a: str, b: str) -> float:
    """Character-bigram Dice coefficient of two names."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    pool = list(y)
    common = 0
    for gram in x:
        if gram in pool:
            pool.remove(gram)
            common += 1
    return 2 * common / (len(x) + len(y))


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _level(row: Mapping[str, Any]) -> tuple[Kind, str, float] | None:
    """(kind, unit word or currency, base value) of a row's level, or None."""
    value = _number(row.get("value"))
    if value is None:
        return None
    parsed = parse_unit(row.get("unit"))
    if parsed is None:
        return (Kind.BARE, str(row.get("unit")), value)
    if parsed.kind is Kind.TENTHS:
        return (Kind.PERCENT, "", value * 10)
    tag = parsed.currency or ("" if parsed.kind in {Kind.PERCENT, Kind.POINTS, Kind.COUNT} else parsed.word)
    return (parsed.kind, tag or "", value * parsed.scale)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _levels_equal(a: tuple[Kind, str, float] | None, b: tuple[Kind, str, float] | None) -> bool:
    return a is not None and b is not None and a[0] == b[0] and a[1] == b[1] and _same(a[2], b[2])


def _growth_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    x, y = _number(a.get("growth_pct")), _number(b.get("growth_pct"))
    return x is not None and y is not None and _same(x, y)


@dataclass
class DocScore:
    """One document's matches, misses and false positives."""

    doc: str
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    region_right: int = 0
    period_right: int = 0
    record_matched: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    wrong_attributes: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list, repr=False)  # (gold, predicted)


@dataclass
class Score:
    """Corpus scores; rates are in [0, 1]."""

    precision: float
    recall: float
    f1: float
    recall_tier1: float
    recall_tier2: float
    full_recall: float
    strict_f1: float
    level_recall: float
    growth_recall: float
    region_right: float
    period_right: float
    record_precision: float
    record_recall: float
    record_f1: float
    gold: int
    predicted: int
    matched: int
    docs: list[DocScore]

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "docs"}
        out["docs"] = [{k: v for k, v in d.__dict__.items() if k != "pairs"} for d in self.docs]
        return out


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(gold: Iterable[Mapping[str, Any]], predicted: Iterable[Mapping[str, Any]]) -> Score:
    """Score ``predicted`` rows (``doc_id`` or ``doc``) against ``gold`` rows (``doc``)."""
    gold_by: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    pred_by: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in gold:
        gold_by[str(row.get("doc", row.get("doc_id")))].append(row)
    for row in predicted:
        pred_by[str(row.get("doc_id", row.get("doc")))].append(row)
    counts: dict[str, int] = defaultdict(int)
    docs = []
    for doc in sorted(set(gold_by) | set(pred_by)):
        docs.append(_score_doc(doc, gold_by.get(doc, []), pred_by.get(doc, []), counts))
    n_gold = sum(len(v) for v in gold_by.values())
    n_pred = sum(len(v) for v in pred_by.values())
    precision = _ratio(counts["matched_pred"], n_pred)
    recall = _ratio(counts["matched_gold"], n_gold)
    full = _ratio(counts["full"], n_gold)
    record_p = _ratio(counts["record"], n_pred)
    record_r = _ratio(counts["record"], n_gold)
    return Score(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        recall_tier1=_ratio(counts["matched_1"], counts["gold_1"]),
        recall_tier2=_ratio(counts["matched_2"], counts["gold_2"]),
        full_recall=full,
        strict_f1=_f1(precision, full),
        level_recall=_ratio(counts["level_hit"], counts["level_total"]),
        growth_recall=_ratio(counts["growth_hit"], counts["growth_total"]),
        region_right=_ratio(counts["region"], counts["matched_gold"]),
        period_right=_ratio(counts["period"], counts["matched_gold"]),
        record_precision=record_p,
        record_recall=record_r,
        record_f1=_f1(record_p, record_r),
        gold=n_gold,
        predicted=n_pred,
        matched=counts["matched_gold"],
        docs=docs,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _period_right(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> bool:
    return same_period(_text(pred.get("period")), _text(gold.get("period")))


def _score_doc(
    doc: str, golds: list[Mapping[str, Any]], preds: list[Mapping[str, Any]], counts: dict[str, int]
) -> DocScore:
    pairs = []
    gold_levels = [_level(g) for g in golds]
    pred_levels = [_level(p) for p in preds]
    for gi, g in enumerate(golds):
        g_name = str(g.get("indicator") or "")
        for pi, p in enumerate(preds):
            level = _levels_equal(gold_levels[gi], pred_levels[pi])
            growth = _growth_equal(g, p)
            if not (level or growth):
                continue
            p_name = str(p.get("indicator") or "")
            overlap = dice(g_name, p_name)
            contains = bool(g_name and p_name) and (g_name in p_name or p_name in g_name)
            if overlap >= 0.3 or contains:
                pairs.append((level + growth, max(overlap, 0.3 if contains else 0.0), gi, pi, level, growth))
    pairs.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
    used_g: dict[int, tuple[bool, bool]] = {}
    used_p: set[int] = set()
    score = DocScore(doc=doc, gold=0, predicted=len(preds))
    for _, _, gi, pi, level, growth in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g[gi] = (level, growth)
        used_p.add(pi)
        score.pairs.append((dict(golds[gi]), dict(preds[pi])))
        region_ok = same_region(_text(preds[pi].get("region")), _text(golds[gi].get("region")))
        period_ok = _period_right(preds[pi], golds[gi])
        score.region_right += region_ok
        score.period_right += period_ok
        score.record_matched += region_ok and period_ok
        if not (region_ok and period_ok):
            score.wrong_attributes.append(
                {"gold": dict(golds[gi]), "predicted": dict(preds[pi]), "region_right": region_ok,
                 "period_right": period_ok}
            )  # fmt: skip
    score.gold, score.matched = len(golds), len(used_g)
    counts["region"] += score.region_right
    counts["period"] += score.period_right
    counts["record"] += score.record_matched
    for gi, g in enumerate(golds):
        tier = 2 if g.get("tier") == 2 else 1
        counts[f"gold_{tier}"] += 1
        has_level = gold_levels[gi] is not None
        has_growth = _number(g.get("growth_pct")) is not None
        counts["level_total"] += has_level
        counts["growth_total"] += has_growth
        if gi in used_g:
            level, growth = used_g[gi]
            counts["matched_gold"] += 1
            counts[f"matched_{tier}"] += 1
            counts["level_hit"] += has_level and level
            counts["growth_hit"] += has_growth and growth
            counts["full"] += (level or not has_level) and (growth or not has_growth)
        else:
            score.misses.append(dict(g))
    counts["matched_pred"] += len(used_p)
    score.false_positives = [dict(p) for pi, p in enumerate(preds) if pi not in used_p]
    return score
