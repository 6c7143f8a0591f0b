"""The pipeline with the fake backend: verification decides, nothing is dropped, errors are data."""

from __future__ import annotations

import pytest

from llm_extract import InputError, extract
from llm_extract.errors import CallError
from llm_extract.testing import FakeBackend

RAW = "（大連）今年一季度,甘井子區完成固定資產投資68.6億元,同比增長11.0%。全區出口額5億元。"


def test_verified_and_rejected_records_are_both_kept():
    backend = FakeBackend([[
        {"indicator": "固定资产投资", "value": 68.6, "unit": "亿元", "growth_pct": 11.0,
         "evidence": "完成固定资产投资68.6亿元,同比增长11.0%"},
        {"indicator": "出口额", "value": 5, "unit": "亿元", "growth_pct": 11.0, "evidence": "全区出口额5亿元"},
        {"indicator": "进口额", "value": 9, "unit": "亿元", "evidence": "进口额9亿元"},
    ]])  # fmt: skip
    result = extract(RAW, backend=backend)
    assert [r["indicator"] for r in result.records] == ["固定资产投资"]
    record = result.records[0]
    assert RAW[record["span"][0] : record["span"][1]] == record["evidence"] == "完成固定資產投資68.6億元,同比增長11.0%"
    assert [r["indicator"] for r in result.rejected] == ["出口额", "进口额"]
    assert all(r["reasons"] for r in result.rejected)
    assert result.rejected[0]["checks"][1]["verdict"] == "not_in_evidence"


def test_duplicate_records_from_overlapping_chunks_are_merged():
    row = {"indicator": "出口额", "value": 5, "unit": "亿元", "evidence": "全区出口额5亿元"}
    result = extract(RAW, backend=FakeBackend([[row, dict(row)]]))
    assert len(result.records) == 1


def test_backend_failure_is_an_error_not_an_exception():
    result = extract(RAW, backend=FakeBackend([CallError("HTTP 500")]))
    assert result.errors == ["HTTP 500"] and not result.ok


def test_empty_text_is_an_input_error():
    with pytest.raises(InputError):
        extract("   ", backend=FakeBackend())


def test_aextract_runs_off_the_event_loop():
    import asyncio

    from llm_extract import aextract

    async def main():
        return await asyncio.gather(*(aextract(RAW, backend="rules") for _ in range(3)))

    results = asyncio.run(main())
    assert [len(r.records) for r in results] == [len(results[0].records)] * 3 and results[0].records


def test_a_fault_while_checking_records_fails_that_article_not_the_run(monkeypatch):
    """Fault injection: the resolver raising turns into one article's error with the reason."""
    import llm_extract.pipeline as pipeline
    from llm_extract.types import Article

    def broken(text: str) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(pipeline, "resolver_for", broken)
    result = pipeline.run_backend(Article("x", "今年一季度，全市完成固定资产投资68.6亿元。"), pipeline.RulesBackend())
    assert not result.ok and not result.records
    assert "injected fault" in result.errors[0] and "RuntimeError" in result.errors[0]
