"""Chunking never cuts a figure, its unit, or a direction word from its rate; chunks cover the text."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_extract.figures.numbers import find_mentions
from llm_extract.text.chunking import chunk, estimate_tokens

INDICATORS = [
    "固定资产投资",
    "规模以上工业增加值",
    "社会消费品零售总额",
    "进出口总额",
    "地区生产总值",
    "一般公共预算收入",
]
UNITS = ["亿元", "万元", "万美元", "%", "家", "个", "万平方米", "万吨"]
DIRECTIONS = ["同比增长", "下降", "增长", "回落"]


def economic_text(rng: random.Random, sentences: int) -> str:
    """Generated economic Chinese: figures with units, growth rates, line breaks inside sentences."""
    parts = []
    for _ in range(sentences):
        value = f"{rng.randint(1, 99999)}.{rng.randint(0, 99)}" if rng.random() < 0.6 else str(rng.randint(1, 999))
        sep = rng.choice(["，", ",", "，\n"])
        rate = f"{rng.randint(0, 60)}.{rng.randint(0, 9)}%"
        end = rng.choice(["。", "；", "！", "。\n\n"])
        parts.append(f"{rng.choice(INDICATORS)}{value}{rng.choice(UNITS)}{sep}{rng.choice(DIRECTIONS)}{rate}{end}")
    return "".join(parts)


def protected_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in find_mentions(text):
        start = m.span[0]
        if m.direction_word:
            start = text.rfind(m.direction_word, max(0, start - 24), start)
        spans.append((start, m.span[1]))
    return spans


def check_chunks(text: str, max_tokens: int, overlap: int) -> None:
    chunks = chunk(text, max_tokens=max_tokens, overlap=overlap)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for a, b in itertools.pairwise(chunks):
        assert b.start <= a.end, "chunks leave a gap"
        assert b.start > a.start, "no progress"
    for c in chunks:
        assert c.text == text[c.start : c.end]
    spans = protected_spans(text)
    for c in chunks:
        for cut in (c.start, c.end):
            assert not any(s < cut < e for s, e in spans), f"cut at {cut} splits {text[cut - 10 : cut + 10]!r}"


@pytest.mark.parametrize("seed", range(30))
def test_generated_economic_text_is_never_cut_inside_a_figure(seed):
    rng = random.Random(seed)
    text = economic_text(rng, rng.randint(1, 60))
    check_chunks(text, max_tokens=rng.choice([12, 30, 80, 200]), overlap=rng.choice([0, 1]))


def test_budget_is_respected_when_sentences_fit():
    text = economic_text(random.Random(7), 40)
    for c in chunk(text, max_tokens=120, overlap=0):
        assert estimate_tokens(c.text) <= 120


def test_overlong_sentence_is_cut_at_commas_not_inside_figures():
    text = "，".join(f"第{i}项指标投资{i}.5亿元同比增长{i}.1%" for i in range(1, 40)) + "。"
    check_chunks(text, max_tokens=25, overlap=0)
    assert len(chunk(text, max_tokens=25, overlap=0)) > 5


def test_a_line_break_between_direction_word_and_rate_is_not_a_cut():
    text = "甲" * 30 + "同比增长\n5.2%。" + "乙" * 30 + "。"
    for c in chunk(text, max_tokens=20, overlap=0):
        assert not c.text.endswith("增长\n")


def test_overlapping_chunks_share_a_border_sentence():
    text = "甲投资1亿元。乙投资2亿元。丙投资3亿元。丁投资4亿元。"
    chunks = chunk(text, max_tokens=16, overlap=1)
    assert len(chunks) >= 2 and chunks[1].start < chunks[0].end


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("投资增长下降亿万元%，。；\n0123456789.个百分点一季度")), max_size=400),
       st.integers(min_value=3, max_value=120))  # fmt: skip
def test_property_chunks_cover_text_and_never_split_a_figure(text, budget):
    if not text:
        assert chunk(text, max_tokens=budget) == []
        return
    check_chunks(text, max_tokens=budget, overlap=1)
