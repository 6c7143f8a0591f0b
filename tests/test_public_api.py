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


def test_items_are_typed_records_and_rules_refuse_other_schemas():
    import pydantic
    import pytest

    from llm_extract import ConfigError, EconomicIndicator, extract

    result = llm_extract.extract("今年一季度,大连甘井子区完成固定资产投资68.6亿元,同比增长11.0%。", backend="rules")
    (item,) = result.items
    assert isinstance(item, EconomicIndicator)
    assert (item.indicator, item.value, item.unit, item.growth_pct) == ("固定资产投资", 68.6, "亿元", 11.0)
    assert item.region == "大连市甘井子区" and item.evidence == result.records[0]["evidence"]

    class Price(pydantic.BaseModel):
        indicator: str
        value: float | None = None

    with pytest.raises(ConfigError, match="rules backend fills the built-in EconomicIndicator only"):
        extract("完成投资68.6亿元", backend="rules", schema=Price)


def test_local_endpoints_get_cpu_friendly_defaults():
    from llm_extract.settings import Settings, is_local

    for url in ("http://127.0.0.1:8080/v1", "http://localhost:11434/v1", "http://192.168.1.20:8000/v1",
                "http://10.0.0.5/v1", "http://gpu-box.local:8000/v1"):  # fmt: skip
        assert is_local(url), url
        settings = Settings.from_env({"LLM_EXTRACT_BASE_URL": url})
        assert settings.timeout == 600.0 and settings.default_concurrency == 1
    for url in ("https://api.openai.com/v1", "https://api.deepseek.com", "http://8.8.8.8/v1", None):
        assert not is_local(url)
    remote = Settings.from_env({"LLM_EXTRACT_BASE_URL": "https://api.deepseek.com"})
    assert remote.timeout == 60.0 and remote.default_concurrency == 8
    # What the user sets wins.
    assert (
        Settings.from_env({"LLM_EXTRACT_BASE_URL": "http://127.0.0.1:8080/v1", "LLM_EXTRACT_TIMEOUT": "30"}).timeout
        == 30
    )
