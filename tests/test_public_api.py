"""The public API: __all__ is sorted and complete, and every name imports."""

from __future__ import annotations

import llm_extract


def test_all_is_sorted():
    assert llm_extract.__all__ == sorted(llm_extract.__all__)


def test_all_is_complete():
    public = {
        name
        for name in vars(llm_extract)
        if not name.startswith("_") and not isinstance(getattr(llm_extract, name), type(llm_extract))
    }
    assert public == set(llm_extract.__all__)


def test_docstring_example():
    result = llm_extract.extract("今年一季度,大连甘井子区完成固定资产投资68.6亿元,同比增长11.0%。", backend="rules")
    assert [(r["indicator"], r["value"], r["growth_pct"]) for r in result.records] == [("固定资产投资", 68.6, 11.0)]
