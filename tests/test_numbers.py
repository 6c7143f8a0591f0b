"""The number grammar, form by form (table-driven)."""

from __future__ import annotations

import pytest

from llm_extract.figures.numbers import chinese_to_number, find_mentions, parse_unit
from llm_extract.types import Kind

# text -> [(mention text, value, scale, unit, kind, currency, direction)]
CASES = [
    ("投资68.6亿元", [("68.6亿元", 68.6, 1e8, "亿元", Kind.MONEY, "CNY", 0)]),
    ("同比增长11.0%", [("11.0%", 11.0, 1, "%", Kind.PERCENT, None, 1)]),
    ("1,234,567元", [("1,234,567元", 1234567, 1, "元", Kind.MONEY, "CNY", 0)]),
    ("１２３４．５６亿元", [("１２３４．５６亿元", 1234.56, 1e8, "亿元", Kind.MONEY, "CNY", 0)]),
    ("总投资６亿元", [("６亿元", 6, 1e8, "亿元", Kind.MONEY, "CNY", 0)]),
    ("两万多家企业", [("两万多家", 2, 1e4, "万家", Kind.COUNT, None, 0)]),
    ("百分之九十八点三", [("百分之九十八点三", 98.3, 1, "%", Kind.PERCENT, None, 0)]),
    ("达到五个百分点", [("五个百分点", 5, 1, "个百分点", Kind.POINTS, None, 0)]),
    ("3000万美元", [("3000万美元", 3000, 1e4, "万美元", Kind.MONEY, "USD", 0)]),
    ("8.08亿元人民币", [("8.08亿元人民币", 8.08, 1e8, "亿元人民币", Kind.MONEY, "CNY", 0)]),
    ("5000億港元", [("5000億港元", 5000, 1e8, "億港元", Kind.MONEY, "HKD", 0)]),
    ("近50亿元", [("近50亿元", 50, 1e8, "亿元", Kind.MONEY, "CNY", 0)]),
    ("超1000万元", [("超1000万元", 1000, 1e4, "万元", Kind.MONEY, "CNY", 0)]),
    ("100多亿元", [("100多亿元", 100, 1e8, "亿元", Kind.MONEY, "CNY", 0)]),
    ("3万余人", [("3万余人", 3, 1e4, "万人", Kind.COUNT, None, 0)]),
    ("200家以上", [("200家以上", 200, 1, "家", Kind.COUNT, None, 0)]),
    ("6000元左右", [("6000元左右", 6000, 1, "元", Kind.MONEY, "CNY", 0)]),
    ("逾3000亿元", [("逾3000亿元", 3000, 1e8, "亿元", Kind.MONEY, "CNY", 0)]),
    ("下降3.5%", [("3.5%", 3.5, 1, "%", Kind.PERCENT, None, -1)]),
    ("减少12家", [("12家", 12, 1, "家", Kind.COUNT, None, -1)]),
    ("回落1.2个百分点", [("1.2个百分点", 1.2, 1, "个百分点", Kind.POINTS, None, -1)]),
    ("增速高于全市5.9个百分点", [("5.9个百分点", 5.9, 1, "个百分点", Kind.POINTS, None, 1)]),
    ("上涨0.1%", [("0.1%", 0.1, 1, "%", Kind.PERCENT, None, 1)]),
    ("增长-3.5%", [("-3.5%", -3.5, 1, "%", Kind.PERCENT, None, -1)]),
    ("增长超三成", [("超三成", 3, 1, "成", Kind.TENTHS, None, 1)]),
    ("是上年的1.5倍", [("1.5倍", 1.5, 1, "倍", Kind.MULTIPLE, None, 0)]),
    ("76.48万平方米", [("76.48万平方米", 76.48, 1e4, "万平方米", Kind.AREA, None, 0)]),
    ("种植小麦30万亩", [("30万亩", 30, 1e4, "万亩", Kind.AREA, None, 0)]),
    ("产量2000万吨", [("2000万吨", 2000, 1e4, "万吨", Kind.PHYSICAL, None, 0)]),
    ("发电量120亿千瓦时", [("120亿千瓦时", 120, 1e8, "亿千瓦时", Kind.PHYSICAL, None, 0)]),
    ("接待游客179.6万人次", [("179.6万人次", 179.6, 1e4, "万人次", Kind.COUNT, None, 0)]),
    ("翻了一番", [("翻了一番", 100, 1, "%", Kind.PERCENT, None, 1)]),
    ("与上年持平", [("持平", 0, 1, "%", Kind.PERCENT, None, 0)]),
    ("带动上万人就业", [("上万人", 1, 1e4, "万人", Kind.COUNT, None, 0)]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_figure_forms(text, expected):
    got = [(m.text, m.value, m.scale, m.unit, m.kind, m.currency, m.direction) for m in find_mentions(text)]
    assert got == [(t, pytest.approx(v), s, u, k, c, d) for t, v, s, u, k, c, d in expected]


def test_range_shares_scale_and_unit():
    (m,) = find_mentions("投资3至5亿元")
    assert (m.value, m.high, m.scale, m.unit) == (3, 5, 1e8, "亿元")


def test_two_rates_written_as_a_range_are_two_rates():
    a, b = find_mentions("同比增长16%-37%")
    assert (a.value, b.value, a.direction, b.direction) == (16, 37, 1, 1)


def test_direction_passes_along_a_list():
    a, b = find_mentions("分别比去年同期增长6.02％和9.2％")
    assert (a.value, a.direction, b.value, b.direction) == (6.02, 1, 9.2, 1)


def test_unit_written_once_at_the_end_of_a_list():
    a, b = find_mentions("涨幅比上月分别回落0.7和0.4个百分点")
    assert (a.value, a.kind, a.direction) == (0.7, Kind.POINTS, -1)
    assert (b.value, b.kind) == (0.4, Kind.POINTS)


def test_new_level_after_direction_word_is_not_a_change():
    (m,) = find_mentions("城镇化率提高到72.7%")
    assert m.direction == 0


@pytest.mark.parametrize(
    "text",
    [
        "2022年9月21日",
        "5G基站",
        "地铁4号线",
        "十四五规划",
        "3+3产业体系",
        "第3个",
        "电话12345678",
        "前5个月",
        "一个中心",
        "四个一工作法",
        "2023—2025年",
        "G20峰会",
        "五大连池",
        "党的二十大精神",
        "《2023大连市措施》",
    ],
)
def test_not_figures(text):
    assert find_mentions(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三千五百", 3500),
        ("十二", 12),
        ("九十八点三", 98.3),
        ("一百二十万", 1_200_000),
        ("两万", 20_000),
        ("一亿零五百万", 105_000_000),
        ("十", 10),
        ("五", 5),
    ],
)
def test_chinese_numerals(text, value):
    assert chinese_to_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("unit", "scale", "kind", "currency"),
    [
        ("亿元", 1e8, Kind.MONEY, "CNY"),
        ("万美元", 1e4, Kind.MONEY, "USD"),
        ("%", 1, Kind.PERCENT, None),
        ("个百分点", 1, Kind.POINTS, None),
        ("万人次", 1e4, Kind.COUNT, None),
        ("平方公里", 1, Kind.AREA, None),
        ("万亿元", 1e12, Kind.MONEY, "CNY"),
        ("元", 1, Kind.MONEY, "CNY"),
        ("倍", 1, Kind.MULTIPLE, None),
    ],
)
def test_parse_unit(unit, scale, kind, currency):
    parsed = parse_unit(unit)
    assert parsed is not None
    assert (parsed.scale, parsed.kind, parsed.currency) == (scale, kind, currency)


def test_parse_unit_unknown_is_none():
    assert parse_unit("furlongs") is None


def test_direction_words_of_taiwan_and_exchange_rates_and_nian_before_zengjia():
    found = {
        m.text: (m.direction, m.direction_word)
        for m in find_mentions("新台币升值6.5%，日元贬值2%，学生数较前一年增加5.8％。")
    }
    assert found == {"6.5%": (1, "升值"), "2%": (-1, "贬值"), "5.8％": (1, "增加")}


def test_fen_is_a_score_but_not_a_time_a_minute_or_a_fraction():
    found = [(m.text, m.unit) for m in find_mentions("综合判断分数降为20分，10时20分公布，用时20分钟，约占三分之一。")]
    assert found == [("20分", "分"), ("三分之一", "%")]


def test_keeping_steady_is_not_flat_growth():
    assert find_mentions("全市经济保持平稳运行") == []
    (flat,) = find_mentions("种植面积和去年基本持平")
    assert flat.value == 0


def test_a_declared_currency_holds_from_its_amount_on():
    found = find_mentions("总值为342亿元（港币，下同），网上销售24亿元，另有人民币5亿元。此前为300亿元")
    assert [m.currency for m in found] == ["HKD", "HKD", "CNY", "HKD"]
    assert [m.currency for m in find_mentions("总值为342亿元，网上销售24亿元")] == ["CNY", "CNY"]
