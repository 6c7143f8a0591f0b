"""The eval metric: shared number + overlapping indicator, one-to-one, by tier."""

from __future__ import annotations

import pytest

from llm_extract.evaluation import dice, evaluate

GOLD = [
    {"doc": "a", "indicator": "固定资产投资", "value": 68.6, "unit": "亿元", "growth_pct": 11.0, "tier": 1},
    {"doc": "a", "indicator": "规模以上工业企业数量", "value": 321, "unit": "家", "growth_pct": None, "tier": 2},
    {"doc": "a", "indicator": "规模以上工业增加值", "value": None, "unit": None, "growth_pct": 29.5, "tier": 1},
]


def test_perfect_prediction():
    preds = [{"doc_id": g["doc"], **{k: g[k] for k in ("indicator", "value", "unit", "growth_pct")}} for g in GOLD]
    score = evaluate(GOLD, preds)
    assert (score.precision, score.recall, score.f1, score.full_recall) == (1, 1, 1, 1)


def test_scaled_levels_match_and_currencies_do_not():
    preds = [
        {"doc_id": "a", "indicator": "固定资产投资", "value": 686000, "unit": "万元"},
        {"doc_id": "a", "indicator": "固定资产投资", "value": 68.6, "unit": "亿美元"},
    ]
    score = evaluate(GOLD, preds)
    assert score.matched == 1 and score.predicted == 2
    assert score.level_recall == 0.5  # 1 of the 2 gold levels
    assert score.full_recall == 0  # its growth is missing


def test_indicator_must_overlap():
    preds = [{"doc_id": "a", "indicator": "出口额", "value": 68.6, "unit": "亿元"}]
    assert evaluate(GOLD, preds).matched == 0


def test_one_to_one_and_tiers():
    preds = [{"doc_id": "a", "indicator": "规模以上工业企业", "value": 321, "unit": "家"}] * 2
    score = evaluate(GOLD, preds)
    assert score.matched == 1
    assert score.precision == 0.5
    assert score.recall_tier2 == 1 and score.recall_tier1 == 0


def test_misses_and_false_positives_are_listed():
    preds = [
        {"doc_id": "a", "indicator": "进出口", "value": 5, "unit": "亿元"},
        {"doc_id": "b", "indicator": "x", "value": 1},
    ]
    score = evaluate(GOLD, preds)
    by_doc = {d.doc: d for d in score.docs}
    assert len(by_doc["a"].misses) == 3 and len(by_doc["a"].false_positives) == 1
    assert by_doc["b"].gold == 0 and len(by_doc["b"].false_positives) == 1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("固定资产投资", "固定资产投资", 1.0), ("ab", "cd", 0.0), ("工业总产值", "工业产值", 4 / 7)],
)
def test_dice(a, b, expected):
    assert dice(a, b) == pytest.approx(expected)
