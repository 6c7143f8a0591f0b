"""Article context: the dateline year puts a year on relative periods."""

from __future__ import annotations

import pytest

from llm_extract.attributes.periods import parse_period
from llm_extract.text.context import read_context


@pytest.mark.parametrize(
    ("period", "year", "expected"),
    [
        ("今年一季度", 2022, "2022年一季度"),
        ("去年全年", 2022, "2021年全年"),
        ("前年", 2022, "2020年"),
        ("2021年上半年", 2022, "2021年上半年"),
        ("一季度", 2022, "2022年一季度"),
        ("1-5月", 2022, "2022年1-5月"),
        ("十四五期间", 2022, "十四五期间"),
        ("今年一季度", None, "今年一季度"),
        ("一季度", None, "一季度"),
    ],
)
def test_a_year_is_put_on_periods_written_without_one(period, year, expected):
    parsed = parse_period(period, year=year, dateline_year=year)
    assert parsed is not None and parsed.label() == expected


def test_no_period_in_an_empty_string():
    assert parse_period("") is None and parse_period(None) is None


def test_the_dateline_gives_the_year():
    context = read_context("2023年05月01日 来源:示例日报\n今年一季度，全市完成固定资产投资68.6亿元。")
    assert context.year == 2023
    parsed = parse_period("今年一季度", dateline_year=context.year)
    assert parsed is not None and parsed.label() == "2023年一季度"
