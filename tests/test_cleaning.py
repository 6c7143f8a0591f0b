"""Cleaning: pinyin debris, Traditional characters and boilerplate go; offsets map back to raw."""

from __future__ import annotations

import re

import pytest

from llm_extract.figures.verify import Source
from llm_extract.text.cleaning import (
    clean,
    drop_boilerplate,
    is_boilerplate_line,
    normalise_whitespace,
    strip_pinyin,
    to_simplified,
)

PINYIN = re.compile(r"[\u4e00-\u9fff][(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")
BOILERPLATE = [
    "凡注有",
    "版权",
    "免责声明",
    "当前位置",
    "首页 >",
    "字体:[",
    "【打印】",
    "返回顶部",
    "分享让更多人看到",
    "2022-06-14",
    "神农架林区|",
    "(资料图)",
]


def test_seeds_have_no_pinyin_debris(seed_texts):
    for doc, raw in seed_texts.items():
        assert not PINYIN.search(clean(raw).text), doc


def test_pinyin_debris_was_there_to_remove(seed_texts):
    """The check above can fail: seeds 003 and 004 carry debris before cleaning."""
    assert PINYIN.search(seed_texts["003_d4d3f5904e798ddf"]) and PINYIN.search(seed_texts["004_4b8d3a932b17014b"])


def test_seeds_have_no_traditional_characters(seed_texts):
    for doc, raw in seed_texts.items():
        text = clean(raw).text
        assert to_simplified(text).text == text, doc


def test_traditional_characters_were_there_to_convert(seed_texts):
    for doc in ("003_d4d3f5904e798ddf", "004_4b8d3a932b17014b"):
        assert to_simplified(seed_texts[doc]).text != seed_texts[doc]


@pytest.mark.parametrize("marker", BOILERPLATE)
def test_seeds_lose_boilerplate_lines(seed_texts, marker):
    for doc, raw in seed_texts.items():
        assert marker not in clean(raw).text, (doc, marker)


def test_every_gold_figure_survives_cleaning(seed_texts, seed_gold):
    sources = {doc: Source.of(clean(raw)) for doc, raw in seed_texts.items()}
    missing = [g["quote"] for g in seed_gold if not sources[g["doc"]].locate(g["quote"])]
    assert missing == []


def test_round_trip_every_cleaned_character_comes_from_a_raw_one(seed_texts):
    for doc, raw in seed_texts.items():
        cleaned = clean(raw)
        assert len(cleaned.index) == len(cleaned.text)
        assert list(cleaned.index) == sorted(set(cleaned.index)), doc  # monotonic, no char used twice
        for i, ch in enumerate(cleaned.text):
            source_char = raw[cleaned.index[i]]
            assert to_simplified(source_char).text == ch or (ch == "\n" and source_char in "\r\n"), (doc, i)


def test_to_raw_spans_cover_the_same_text(seed_texts):
    raw = seed_texts["004_4b8d3a932b17014b"]
    cleaned = clean(raw)
    start = cleaned.text.index("729.4亿元")
    r0, r1 = cleaned.to_raw(start, start + len("729.4亿元"))
    assert raw[r0:r1] == "729.4億元"


def test_corrupted_pinyin_is_removed_and_marked_unreliable():
    step = strip_pinyin("請(qǐng)?jiān)?0日內同本網(wǎng)聯")
    assert step.text == "請?0日內同本網聯"
    ((start, end),) = step.unreliable
    assert step.text[start:end] == "請?0"


@pytest.mark.parametrize("text", ["(資料圖)", "(責編:王斯文、湯龍)", "(2023—2025年)", "中国(China)", "利率(LPR)"])
def test_legitimate_parentheses_survive(text):
    assert strip_pinyin(text).text == text


def test_t2s_keeps_length():
    text = "經濟發展萬億元，增長率為百分之五"
    assert len(to_simplified(text).text) == len(text)


@pytest.mark.parametrize(
    "line",
    [
        "当前位置: 首页 > 动态 > 部门动态",
        "- 借呗逾期怎么办?借呗逾期后果有哪些?2022-06-14",
        "字体:[小]",
        "【打印】",
        '凡注有"环球传媒网"的稿件,均为环球传媒网独家版权所有',
        "神农架林区| 云龙县| 古丈县| 远安县",
        "返回顶部",
        "(资料图)",
        "责任编辑：李墨轩",
        "本报记者 蔡晓华 摄",
    ],
)
def test_boilerplate_lines(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "版权交易额达12亿元,同比增长5%",
        "信息时间::2023-08-16",
        "2022年09月27日06:29 | 来源:辽宁日报",
        "今年一季度,大连甘井子区完成固定资产投资68.6亿元",
        "首页改版后访问量增长30%",
    ],
)
def test_article_lines_money_percent_and_datelines_are_kept(line):
    assert not is_boilerplate_line(line)


def test_numbered_disclaimer_items_are_dropped():
    text = "正文。\n版权与免责声明:\n1 本网注明的作品,均转载自其它媒体。\n2 在本网发表言论者,文责自负。\n下一段正文。"
    assert drop_boilerplate(text).text == "正文。\n下一段正文。"


def test_whitespace_normalised_keeps_paragraph_breaks():
    step = normalise_whitespace("\n\n　　第一段。  \n\n\n\n　　第二段。\n\n")
    assert step.text == "第一段。\n\n第二段。"
    assert [step.text[i] for i in range(len(step.text))] == list(step.text)


def test_clean_handles_empty_and_only_boilerplate():
    assert clean("").text == ""
    assert clean("【打印】\n返回顶部\n").text == ""
