"""Batch runs against a live scripted endpoint on loopback (not a model; see scripted_server.py).

Concurrency, the answer cache, crash-safe resume after ``kill -9``, rate-limit slow-down and
accounting of every article. Speed itself is measured in ``scripts/bench_batch.py``, not here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from scripted_server import ScriptedServer

from llm_extract.backends.llm import LLMBackend
from llm_extract.cli import cli
from llm_extract.settings import Settings

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

SENTENCES = [
    "全市完成固定资产投资{a}.5亿元，同比增长{b}.1%。",
    "规模以上工业增加值增长{b}.4%。",
    "社会消费品零售总额{a}.2亿元，下降{b}.3%。",
]


def make_inputs(directory: Path, n: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = "".join(s.format(a=100 + i, b=1 + i % 9) for s in SENTENCES)
        (directory / f"a{i:03d}.txt").write_text(f"2023年05月0{1 + i % 9}日 来源:示例日报\n{text}", encoding="utf-8")
    return directory


def run_cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["run", *args])
    return result.exit_code, result.output


def run_openai(inputs: Path, out: Path, server: ScriptedServer, model: str, *extra: str) -> tuple[int, str]:
    """``llm-extract run`` over ``inputs`` against the scripted endpoint, without the cache."""
    return run_cli([str(inputs), "-o", str(out), "--backend", "openai", "--base-url", server.url, "--model",
                    f"scripted-{model}", "--no-cache", *extra])  # fmt: skip


def lines(path: Path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8").splitlines()) if path.exists() else []


def test_concurrent_requests_are_in_flight_together(tmp_path):
    inputs = make_inputs(tmp_path / "in", 12)
    with ScriptedServer(latency=0.3) as server:
        code, output = run_openai(inputs, tmp_path / "o.jsonl", server, "correct", "--concurrency", "8")
    assert code == 0, output
    assert server.requests == 12
    assert 6 <= server.max_inflight <= 8  # one event loop, many requests at once, never more than asked
    assert len(server.peers) <= 8  # connections are kept alive and reused, not opened per request


def test_the_cap_counts_http_exchanges_re_asks_included(tmp_path):
    # Up to 2 × concurrency articles are in progress at once and each is re-asked once: the
    # endpoint still never sees more than ``concurrency`` requests at a time.
    inputs = make_inputs(tmp_path / "in", 12)
    with ScriptedServer(latency=0.2) as server:
        code, output = run_openai(inputs, tmp_path / "o.jsonl", server, "wrong-then-right", "--concurrency", "3")
    assert code == 0, output
    seen = f"requests {server.requests}, max in flight {server.max_inflight}, connections {len(server.peers)}"
    assert server.requests == 24, seen  # the first answer of each is wrong, the re-ask is right
    assert server.max_inflight == 3, seen
    assert len(lines(tmp_path / "o.jsonl")) == 12 * 3


def test_a_repeated_run_makes_zero_requests(tmp_path):
    inputs = make_inputs(tmp_path / "in", 6)
    cache = tmp_path / "cache"
    with ScriptedServer() as server:
        args = [str(inputs), "--backend", "openai", "--base-url", server.url, "--model", "scripted-correct",
                "--cache-dir", str(cache)]  # fmt: skip
        assert run_cli([*args, "-o", str(tmp_path / "first.jsonl"), "--summary", str(tmp_path / "s1.json")])[0] == 0
        first = server.requests
        assert run_cli([*args, "-o", str(tmp_path / "second.jsonl"), "--summary", str(tmp_path / "s2.json")])[0] == 0
    assert first == 6 and server.requests == first
    summary = json.loads((tmp_path / "s2.json").read_text())
    assert summary["requests"] == 0 and summary["cache_hits"] == 6
    assert lines(tmp_path / "first.jsonl") == lines(tmp_path / "second.jsonl")


def test_every_article_is_accounted_for_and_bad_inputs_do_not_stop_the_batch(tmp_path):
    inputs = make_inputs(tmp_path / "in", 4)
    (inputs / "empty.txt").write_text("", encoding="utf-8")
    (inputs / "bad.jsonl").write_text("{broken\n", encoding="utf-8")
    with ScriptedServer() as server:
        code, _ = run_openai(inputs, tmp_path / "o.jsonl", server, "500-always", "--summary", str(tmp_path / "s.json"))
    assert code == 1
    summary = json.loads((tmp_path / "s.json").read_text())
    errors = [json.loads(x) for x in lines(tmp_path / "o.errors.jsonl")]
    assert summary["articles"] == 6 and summary["failed"] == 6 == len(errors)
    assert all(e["error"] for e in errors)


def test_429_slows_the_whole_run_and_the_run_completes(tmp_path):
    inputs = make_inputs(tmp_path / "in", 3)
    with ScriptedServer() as server:
        code, output = run_openai(inputs, tmp_path / "o.jsonl", server, "429-then-ok")
    assert code == 0, output
    assert server.requests == 6  # each article: 429, then success after Retry-After
    assert len(lines(tmp_path / "o.jsonl")) >= 3


def test_shards_partition_the_inputs(tmp_path):
    inputs = make_inputs(tmp_path / "in", 10)
    seen: list[str] = []
    for i in range(3):
        out = tmp_path / f"s{i}.jsonl"
        assert run_cli([str(inputs), "-o", str(out), "--backend", "rules", "--shard", f"{i}/3", "-q"])[0] == 0
        seen += [json.loads(x)["doc_id"] for x in lines(out)]
    assert sorted(set(seen)) == [f"a{i:03d}" for i in range(10)]
    assert len(seen) == len({(d, n) for n, d in enumerate(seen)})


def test_dry_run_counts_without_calling(tmp_path):
    inputs = make_inputs(tmp_path / "in", 3)
    code, output = run_cli([str(inputs), "--dry-run", "--base-url", "http://127.0.0.1:9/v1"])
    assert code == 0 and "chunks" in output and "requests_max" in output


def _launch(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "llm_extract", "run", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


@pytest.mark.parametrize("kill_after", [3, 9])
def test_a_run_killed_with_sigkill_resumes_without_repeats_or_duplicates(tmp_path, kill_after):
    inputs = make_inputs(tmp_path / "in", 16)
    env = {**os.environ, "LLM_EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    with ScriptedServer(latency=0.15) as server:
        common = [str(inputs), "--backend", "openai", "--base-url", server.url, "--model", "scripted-correct",
                  "--concurrency", "2"]  # fmt: skip
        reference = tmp_path / "ref.jsonl"
        assert _launch([*common, "-o", str(reference), "--no-cache"], env).wait(60) == 0
        out = tmp_path / "out.jsonl"
        journal = tmp_path / "out.journal.jsonl"
        proc = _launch([*common, "-o", str(out)], env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(lines(journal)) < kill_after:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        finished_before = {json.loads(x)["doc_id"] for x in lines(journal)}
        assert kill_after <= len(finished_before) < 16
        before = server.requests
        resumed = _launch([*common, "-o", str(out)], env)
        assert resumed.wait(60) == 0, resumed.stdout.read() if resumed.stdout else ""
        # finished articles are not asked again; answers of unfinished ones may come from the cache
        assert server.requests - before <= 16 - len(finished_before)
    assert lines(out) == lines(reference)
    assert len(lines(tmp_path / "out.journal.jsonl")) == 16


def test_token_cap_is_corrected_by_reported_usage(tmp_path):
    inputs = make_inputs(tmp_path / "in", 3)
    with ScriptedServer() as server:
        code, output = run_openai(inputs, tmp_path / "o.jsonl", server, "correct", "--tpm", "1000000", "--rpm", "600")
    assert code == 0, output
    assert server.requests == 3


def test_a_request_that_timed_out_is_not_sent_again():
    # Transport retries are for 429, 5xx and resets; a slow answer is not re-sent behind itself.
    from llm_extract.pipeline import run_backend
    from llm_extract.types import Article

    with ScriptedServer(latency=2.0) as server:
        settings = Settings(base_url=server.url, api_key="sk-test", model="scripted-correct", mode="json",
                            timeout=0.5, transport_retries=3, max_retries=2)  # fmt: skip
        backend = LLMBackend(settings)
        try:
            result = run_backend(Article("a", "今年一季度，全市地区生产总值增长5.2%。"), backend)
        finally:
            backend.close()
        time.sleep(2.0)  # let the server finish the abandoned request before counting
    assert server.requests == 1
    (error,) = result.errors
    assert "no answer within 0.5s; not sent again" in error
