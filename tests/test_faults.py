"""Fault injection: batches against the scripted endpoint's ``faults`` scenario (loopback, not a model),
random kills, and output / cache failures. Every article must end done or in the errors file with a
reason, requests must stay within the stated bound, and no traceback may reach the user."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from scripted_server import FaultPlan, ScriptedServer
from test_batch import _launch, lines, make_inputs

from llm_extract.cli import cli

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

ARTICLES = 24
MAX_RETRIES = 2  # re-asks per chunk
TRANSPORT_RETRIES = 2  # HTTP retries per request
# The bound: every chunk makes at most (1 + re-asks) instructor attempts, each at most
# (1 + transport retries) HTTP requests. These articles are one chunk each.
BOUND = ARTICLES * (1 + MAX_RETRIES) * (1 + TRANSPORT_RETRIES)


def _args(inputs: Path, url: str, out: Path, model: str = "scripted-faults") -> list[str]:
    return [str(inputs), "-o", str(out), "--backend", "openai", "--base-url", url, "--model", model,
            "--concurrency", "8", "--timeout", "1", "--max-retries", str(MAX_RETRIES),
            "--transport-retries", str(TRANSPORT_RETRIES)]  # fmt: skip


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in lines(path)]


@pytest.mark.parametrize(("seed", "rate"), [(1, 0.45), (2, 0.45), (3, 0.9)])
def test_a_batch_under_injected_faults_accounts_for_every_article(tmp_path, seed, rate):
    inputs = make_inputs(tmp_path / "in", ARTICLES)
    out = tmp_path / "out.jsonl"
    plan = FaultPlan(rate=rate, seed=seed, hang=1.6, slow=0.3)
    with ScriptedServer(faults=plan) as server:
        result = CliRunner().invoke(cli, ["run", *_args(inputs, server.url, out)])
        requests, faults = server.requests, dict(server.faults)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert sum(faults.values()) >= 0.3 * requests and len(faults) >= 6, faults  # the faults really happened
    assert requests <= BOUND, (requests, BOUND)
    done = {json.loads(x)["doc_id"] for x in lines(tmp_path / "out.journal.jsonl")}
    errors = _jsonl(tmp_path / "out.errors.jsonl")
    failed = {e["doc_id"] for e in errors}
    assert done.isdisjoint(failed) and done | failed == {f"a{i:03d}" for i in range(ARTICLES)}
    assert all(e["error"] for e in errors)  # a reason for each
    if rate > 0.5:
        assert failed  # at 90% some articles run out of retries: the errors path is exercised
    for row in _jsonl(out):
        assert row["status"] == "verified" and row["doc_id"] in done
    # a rerun against a healthy endpoint completes the failed ones and repeats none of the done ones
    with ScriptedServer() as healthy:
        again = CliRunner().invoke(cli, ["run", *_args(inputs, healthy.url, out, "scripted-correct")])
        assert again.exit_code == 0, again.output
        assert healthy.requests == len(failed)
    assert len(lines(tmp_path / "out.journal.jsonl")) == ARTICLES and not lines(tmp_path / "out.errors.jsonl")


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_killed_at_a_random_moment_the_rerun_equals_an_uninterrupted_run(tmp_path, seed):
    inputs = make_inputs(tmp_path / "in", 12)
    env = {**os.environ, "LLM_EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    with ScriptedServer(latency=0.1) as server:
        common = [str(inputs), "--backend", "openai", "--base-url", server.url, "--model", "scripted-correct",
                  "--concurrency", "3"]  # fmt: skip
        reference = tmp_path / "ref.jsonl"
        assert _launch([*common, "-o", str(reference), "--no-cache"], env).wait(60) == 0
        out = tmp_path / "out.jsonl"
        rng = random.Random(seed)
        for _ in range(2):  # killed twice, at random moments
            proc = _launch([*common, "-o", str(out)], env)
            time.sleep(rng.uniform(0.3, 1.2))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        final = _launch([*common, "-o", str(out)], env)
        assert final.wait(60) == 0, final.stdout.read() if final.stdout else ""
    assert lines(out) == lines(reference)
    assert sorted(json.loads(x)["doc_id"] for x in lines(tmp_path / "out.journal.jsonl")) == [
        f"a{i:03d}" for i in range(12)
    ]


def test_an_unwritable_output_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path), "-o", str(blocker / "out.jsonl"), "--backend", "rules"])
    assert result.exit_code == 2 and "cannot write here" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_is_one_clear_error(tmp_path):
    inputs = make_inputs(tmp_path / "in", 6)
    out = tmp_path / "out.jsonl"
    out.symlink_to("/dev/full")  # every write fails with ENOSPC
    proc = subprocess.run([sys.executable, "-m", "llm_extract", "run", str(inputs), "-o", str(out), "--backend",
                           "rules"], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "No space left on device" in proc.stderr and "rerun the same command" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not lines(tmp_path / "out.journal.jsonl")  # nothing journaled as done that was not written


def test_the_disk_filling_up_mid_run_keeps_finished_work_and_a_rerun_completes(tmp_path, monkeypatch):
    """Fault injection on the writer: the third article's write fails as on a full disk."""
    from llm_extract.run import output

    inputs = make_inputs(tmp_path / "in", 8)
    reference = tmp_path / "ref.jsonl"
    assert CliRunner().invoke(cli, ["run", str(inputs), "-o", str(reference), "--backend", "rules"]).exit_code == 0
    out = tmp_path / "out.jsonl"
    real = output.RunWriter.write_article
    calls = {"n": 0}

    def failing(self, records, rejected):
        calls["n"] += 1
        if calls["n"] == 3:
            self._out.write(output.dumps(records[0])[:25])  # half a line reached the disk
            self._out.flush()
            raise output.OutputError(f"{self._out.name}: cannot write (No space left on device)")
        return real(self, records, rejected)

    monkeypatch.setattr(output.RunWriter, "write_article", failing)
    result = CliRunner().invoke(cli, ["run", str(inputs), "-o", str(out), "--backend", "rules"])
    assert isinstance(result.exception, output.OutputError)  # main() turns it into one line, exit 2
    assert len(lines(tmp_path / "out.journal.jsonl")) == 2  # the two finished articles stay done
    monkeypatch.setattr(output.RunWriter, "write_article", real)
    again = CliRunner().invoke(cli, ["run", str(inputs), "-o", str(out), "--backend", "rules"])
    assert again.exit_code == 0 and "resuming: 2 articles" in again.output
    assert lines(out) == lines(reference)  # no half line, nothing lost, nothing twice


def test_a_corrupt_cache_entry_is_a_miss_not_a_crash(tmp_path):
    inputs = make_inputs(tmp_path / "in", 3)
    cache = tmp_path / "c"
    with ScriptedServer() as server:
        args = [*_args(inputs, server.url, tmp_path / "o.jsonl", "scripted-correct"), "--cache-dir", str(cache)]
        assert CliRunner().invoke(cli, ["run", *args]).exit_code == 0
        entries = sorted(cache.rglob("*.json"))
        assert len(entries) == 3
        entries[0].write_text("{not json", encoding="utf-8")  # truncated
        key = json.loads(entries[1].read_text(encoding="utf-8"))["key"]
        entries[1].write_text(json.dumps({"key": key, "claims": [{"bogus": 1}]}), encoding="utf-8")  # wrong shape
        before = server.requests
        result = CliRunner().invoke(cli, ["run", *args, "--fresh"])
        assert result.exit_code == 0 and "Traceback" not in result.output
        assert server.requests - before == 2  # the two corrupt entries were asked again, the good one was not
    assert len(lines(tmp_path / "o.jsonl")) == 9


def test_an_answer_of_the_wrong_shape_is_an_error_to_reask_not_no_figures():
    from pydantic import ValidationError

    from llm_extract.backends.llm import response_model_for
    from llm_extract.backends.records import EconomicIndicator

    model = response_model_for(EconomicIndicator)
    with pytest.raises(ValidationError, match="records"):
        model.model_validate({"data": [{"indicator": "出口额", "value": 5}]})
    assert model.model_validate({"records": []}).records == []  # "no figures" is said explicitly


def test_the_api_key_is_in_no_file_or_message_after_a_run_with_failures(tmp_path):
    marker = "sk-llm-extract-marker-9f3c2a7e"
    inputs = make_inputs(tmp_path / "in", 6)
    (inputs / "empty.txt").write_text("", encoding="utf-8")  # one failed article: the errors file is written
    out = tmp_path / "run" / "o.jsonl"
    with ScriptedServer(faults=FaultPlan(rate=0.6, seed=5, hang=1.2)) as server:
        args = [*_args(inputs, server.url, out), "--api-key", marker, "--cache-dir", str(tmp_path / "cache"),
                "--summary", str(tmp_path / "run" / "summary.json")]  # fmt: skip
        result = CliRunner().invoke(cli, ["run", *args])
        report = CliRunner().invoke(cli, ["report", str(out), "--sources", str(inputs), "-o", str(tmp_path / "r.html")])
    assert result.exit_code in (0, 1) and report.exit_code == 0
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != inputs]
    assert len(files) >= 8  # outputs, rejected, errors, journal, summary, cache entries, report
    assert not any(marker.encode() in p.read_bytes() for p in files)
    assert marker not in result.output and marker not in report.output
