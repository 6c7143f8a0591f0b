"""The answer cache, the request pacer and resume preparation, in isolation."""

from __future__ import annotations

import asyncio
import json
import time

from llm_extract.run.cache import ChunkCache
from llm_extract.run.output import RunWriter, prepare_resume
from llm_extract.run.pacing import Pacer


def test_cache_round_trip_and_key_depends_on_every_part(tmp_path):
    cache = ChunkCache(tmp_path)
    key = cache.key({"model": "m", "chunk": "abc"})
    assert cache.key({"chunk": "abc", "model": "m"}) == key
    assert cache.key({"model": "m2", "chunk": "abc"}) != key
    assert cache.get(key) is None
    cache.put(key, {"claims": [{"indicator": "固定资产投资"}]})
    assert cache.get(key)["claims"][0]["indicator"] == "固定资产投资"


def test_corrupt_cache_entries_are_misses(tmp_path):
    cache = ChunkCache(tmp_path)
    key = cache.key({"x": 1})
    cache.put(key, {"claims": []})
    path = next(tmp_path.rglob("*.json"))
    path.write_text('{"key": "', encoding="utf-8")
    assert cache.get(key) is None
    path.write_text(json.dumps({"key": "other", "claims": []}), encoding="utf-8")
    assert cache.get(key) is None


def test_pacer_caps_requests_per_minute(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    slept: list[float] = []

    async def fake_sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    pacer = Pacer(rpm=2)

    async def three():
        for _ in range(3):
            await pacer.wait(10)

    asyncio.run(three())
    assert sum(slept) >= 59  # the third request waits for the window


def test_pacer_pause_delays_everyone(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])

    async def fake_sleep(seconds):
        clock[0] += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    pacer = Pacer()
    pacer.pause(3)
    asyncio.run(pacer.wait(1))
    assert clock[0] >= 3 and pacer.pauses == 1


def test_prepare_resume_keeps_journaled_articles_and_drops_the_rest(tmp_path):
    out = tmp_path / "o.jsonl"
    with RunWriter(out) as writer:
        writer.write_article([{"doc_id": "a", "v": 1}], [{"doc_id": "a", "r": 1}])
        writer.journal("a", "done")
        writer.write_article([{"doc_id": "b", "v": 2}], [])  # written, killed before the journal line
        writer.write_error({"doc_id": "c", "error": "x"})
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"doc_id": "d", "v"')  # half a line
    done = prepare_resume(out, tmp_path / "o.rejected.jsonl", tmp_path / "o.errors.jsonl")
    assert done == {"a"}
    assert out.read_text(encoding="utf-8") == '{"doc_id":"a","v":1}\n'
    assert (tmp_path / "o.errors.jsonl").read_text() == ""
    assert (tmp_path / "o.rejected.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_pacer_replaces_an_estimate_by_the_reported_usage():
    pacer = Pacer(tpm=5000)
    asyncio.run(pacer.wait(4000))
    pacer.correct(4000, 120)
    assert sum(t for _, t in pacer._tokens) == 120
    asyncio.run(pacer.wait(4000))  # fits now; with the estimate it would have waited a minute


def test_csv_resume_keeps_records_whose_evidence_spans_lines(tmp_path):
    out = tmp_path / "o.csv"
    with RunWriter(out) as writer:
        writer.write_article([{"doc_id": "a", "evidence": "第一行\n第二行", "value": 1}], [])
        writer.journal("a", "done")
        writer.write_article([{"doc_id": "b", "evidence": "x", "value": 2}], [])
    assert prepare_resume(out, tmp_path / "o.rejected.jsonl", tmp_path / "o.errors.jsonl") == {"a"}
    import csv
    import io

    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows] == ["doc_id", "a"] and rows[1][rows[0].index("evidence")] == "第一行\n第二行"
