"""Article context: the dateline year puts a year on relative periods."""

from __future__ import annotations

import pytest

from llm_extract.context import ArticleContext, read_context, resolve_period


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
        ("", 2022, None),
        (None, 2022, None),
    ],
)
def test_resolve_period(period, year, expected):
    assert resolve_period(period, ArticleContext(year=year)) == expected


def test_the_dateline_gives_the_year():
    context = read_context("2023年05月01日 来源:示例日报\n今年一季度，全市完成固定资产投资68.6亿元。")
    assert context.year == 2023
    assert resolve_period("今年一季度", context) == "2023年一季度"
