"""Provider Batch APIs through the scripted batch endpoint (tests/scripted_server.py: files and
batches played on loopback, each line answered by a named scenario; not a model).

Equality with a live run runs against the server itself; the submit / collect exchanges — a
re-ask round, a failed line, an expired batch resubmitted — replay from cassettes recorded from it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEV, SCRIPTED_PORT, SCRIPTED_URL, SEEDS
from scripted_server import BatchPlan, ScriptedServer

from llm_extract.cli import cli
from llm_extract.run.batchapi import BatchRun, state_path

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

META = ("backend", "model", "mode", "prompt_hash", "schema_hash")


@contextlib.contextmanager
def endpoint(request: pytest.FixtureRequest, plan: BatchPlan) -> Iterator[str]:
    """The scripted server while recording; its fixed URL when replaying cassettes."""
    if request.config.getoption("--record-mode") in (None, "none"):
        yield SCRIPTED_URL
        return
    with ScriptedServer(port=SCRIPTED_PORT, batch_plan=plan) as server:
        yield server.url


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def submit_and_collect(url: str, inputs: list[str], out: Path, model: str, *extra: str) -> tuple[BatchRun, str]:
    code, output = invoke("batch", "submit", *inputs, "-o", str(out), "--base-url", url, "--model", model,
                          "--transport-retries", "0", *extra)  # fmt: skip
    assert code == 0, output
    for _ in range(12):
        code, output = invoke("batch", "collect", str(out))
        assert code == 0, output
        if "all collected" in output:
            break
    return BatchRun.load(state_path(out)), output


def rows(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append(json.dumps({k: v for k, v in row.items() if k not in META}, ensure_ascii=False, sort_keys=True))
    return sorted(out)


def test_collected_records_equal_a_run_against_the_same_answers(tmp_path):
    inputs = [str(SEEDS), str(DEV)]
    with ScriptedServer() as server:
        run, output = submit_and_collect(server.url, inputs, tmp_path / "batch.jsonl", "scripted-correct")
        code, live = invoke("run", *inputs, "-o", str(tmp_path / "live.jsonl"), "--backend", "openai", "--base-url",
                            server.url, "--model", "scripted-correct", "--no-cache", "-q")  # fmt: skip
    assert code == 0, live
    assert rows(tmp_path / "batch.jsonl") == rows(tmp_path / "live.jsonl")
    assert rows(tmp_path / "batch.rejected.jsonl") == rows(tmp_path / "live.rejected.jsonl")
    assert set(run.results) == set(run.requests)  # every request line accounted for
    chunks = sum(len(a["chunks"]) for a in run.articles.values())
    assert chunks == len(run.requests) and "all collected" in output
    assert len((tmp_path / "batch.journal.jsonl").read_text(encoding="utf-8").splitlines()) == 35


@pytest.mark.vcr
def test_a_reask_round_corrects_a_wrong_figure(request, tmp_path, vcr):
    with endpoint(request, BatchPlan()) as url:
        run, output = submit_and_collect(url, [str(SEEDS / "000_ba67efb076b739e5.txt")], tmp_path / "b.jsonl",
                                         "scripted-wrong-then-right")  # fmt: skip
    assert [b["round"] for b in run.batches] == [0, 1]  # the follow-up round is a new batch
    assert "1 articles: 1 done" in output
    records = [json.loads(x) for x in (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records and all(r["backend"] == "openai-batch" for r in records)
    uploads = [r for r in vcr.requests if r.path.endswith("/files")]
    second = uploads[1].body.decode("utf-8")
    assert "原文中没有" in second  # the verifier's message goes back with the answer


@pytest.mark.vcr
def test_a_failed_line_is_sent_again_in_the_next_round(request, tmp_path, vcr):
    with endpoint(request, BatchPlan(fail_once="#1")) as url:
        run, output = submit_and_collect(url, [str(SEEDS / "000_ba67efb076b739e5.txt")], tmp_path / "b.jsonl",
                                         "scripted-correct")  # fmt: skip
    assert len(run.batches) == 2 and run.batches[1]["custom_ids"] == ["000_ba67efb076b739e5#1"]
    assert "1 articles: 1 done" in output and not (tmp_path / "b.errors.jsonl").read_text(encoding="utf-8")


@pytest.mark.vcr
def test_a_line_failing_in_every_round_fails_its_article_with_the_reason(request, tmp_path, vcr):
    with endpoint(request, BatchPlan(fail_always="#0")) as url:
        _, output = submit_and_collect(url, [str(SEEDS / "000_ba67efb076b739e5.txt")], tmp_path / "b.jsonl",
                                       "scripted-correct", "--max-retries", "1")  # fmt: skip
    errors = [json.loads(x) for x in (tmp_path / "b.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(errors) == 1 and "the batch line failed: the line failed (scripted)" in errors[0]["error"]
    assert "1 failed" in output


@pytest.mark.vcr
def test_an_expired_batch_has_its_unanswered_lines_resubmitted(request, tmp_path, vcr):
    with endpoint(request, BatchPlan(expire_first=True)) as url:
        run, output = submit_and_collect(url, [str(SEEDS)], tmp_path / "b.jsonl", "scripted-correct")
    first, second = run.batches
    assert first["state"] == "expired" and second["round"] == 0
    assert set(first["custom_ids"]) == set(run.requests) and 0 < len(second["custom_ids"]) < len(run.requests)
    assert set(run.results) == set(run.requests), set(run.requests) - set(run.results)
    assert "all collected" in output
    assert len((tmp_path / "b.journal.jsonl").read_text(encoding="utf-8").splitlines()) == 5


def test_a_later_run_over_the_same_inputs_finds_every_answer_in_the_cache(tmp_path):
    with ScriptedServer() as server:
        run, _ = submit_and_collect(server.url, [str(SEEDS)], tmp_path / "batch.jsonl", "scripted-correct")
        asked = server.requests
        code, output = invoke("run", str(SEEDS), "-o", str(tmp_path / "live.jsonl"), "--backend", "openai",
                              "--base-url", server.url, "--model", "scripted-correct")  # fmt: skip
        assert code == 0, output
        assert server.requests == asked  # zero requests: every chunk came from the cache
    assert f"0 requests, {len(run.requests)} cache hits" in output
    assert rows(tmp_path / "live.jsonl") == rows(tmp_path / "batch.jsonl")


def test_collect_without_a_submit_says_what_to_do(tmp_path):
    code, output = invoke("batch", "collect", str(tmp_path / "nothing.jsonl"))
    assert code == 2 and "batch submit" in output
