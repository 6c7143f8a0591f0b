"""Streamed answers against the scripted endpoint on loopback (not a model; see scripted_server.py).

Time out on silence, not on length; no re-sending of a request that timed out; a budget per
chunk; runaways cut and asked once more; progress while an answer streams in. Times are scaled
down (fractions of a second instead of minutes); ``scripts/bench_local.py`` runs them full size.
"""

from __future__ import annotations

import json
import time

import pytest
from scripted_server import FaultPlan, ScriptedServer

from llm_extract.backends.answers import StreamAssembler, answer_budget, repeating
from llm_extract.backends.llm import RUNAWAY_REMINDER, LLMBackend
from llm_extract.errors import CallError
from llm_extract.pipeline import run_backend
from llm_extract.settings import Settings
from llm_extract.text.chunking import Chunk
from llm_extract.text.context import ArticleContext
from llm_extract.types import Article

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

TEXT = "2023年05月10日 来源:示例日报\n全市完成固定资产投资68.6亿元，同比增长11.0%。规模以上工业增加值增长7.4%。"
ARTICLE = Article("a", TEXT)


def backend(server: ScriptedServer, scenario: str, **changes: object) -> LLMBackend:
    settings = Settings(base_url=server.url, model=f"scripted-{scenario}", max_retries=1, transport_retries=2,
                        timeout=2.0, silence_timeout=0.5, mode="json").with_(**changes)  # fmt: skip
    return LLMBackend(settings)


def abandoned(server: ScriptedServer, wait: float = 5.0) -> int:
    """Answers the server stopped because the client had gone (it notices at its next write)."""
    deadline = time.monotonic() + wait
    while not server.abandoned and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.abandoned


def one_chunk(server: ScriptedServer, scenario: str, **changes: object) -> tuple:
    with backend(server, scenario, **changes) as b:
        return b.call(Chunk(0, 0, len(TEXT), TEXT), ArticleContext(), doc_id="a")


# --- the wire --------------------------------------------------------------------------------


def test_requests_are_streamed_with_the_chunks_budget():
    with ScriptedServer() as server:
        claims, rejected, usage = one_chunk(server, "correct")
    body = server.bodies[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == answer_budget(TEXT, 4096) < 4096
    assert {c.value for c in claims} == {68.6, None} and not rejected
    assert usage.completion_tokens > 0 and usage.requests == 1


def test_no_stream_sends_plain_requests():
    with ScriptedServer() as server:
        claims, _, _ = one_chunk(server, "correct", stream=False)
    assert "stream" not in server.bodies[0]
    assert {c.value for c in claims} == {68.6, None}


def test_tool_calls_are_assembled_from_streamed_arguments():
    with ScriptedServer() as server:
        claims, _, _ = one_chunk(server, "correct", mode="tools")
    assert server.bodies[0]["tools"] and server.bodies[0]["stream"] is True
    assert {c.value for c in claims} == {68.6, None}


# --- time -------------------------------------------------------------------------------------


def test_a_slow_answer_that_keeps_writing_is_never_cut_off():
    # ~40 pieces, 0.05 s apart: about 2 s in all, longer than the 1 s first-answer timeout,
    # but never silent for the 0.5 s silence timeout.
    with ScriptedServer(faults=FaultPlan(trickle=0.05)) as server:
        claims, _, usage = one_chunk(server, "slow-stream", timeout=1.0)
    assert {c.value for c in claims} == {68.6, None}
    assert usage.seconds > 1.0 and server.requests == 1 and server.abandoned == 0


def test_a_late_start_within_the_timeout_is_waited_for():
    with ScriptedServer(latency=1.0) as server:
        claims, _, _ = one_chunk(server, "correct", timeout=2.0, silence_timeout=0.3)
    assert {c.value for c in claims} == {68.6, None} and server.requests == 1


def test_a_stalled_stream_is_dropped_within_the_silence_timeout_and_not_sent_again():
    with ScriptedServer(faults=FaultPlan(stall=3.0)) as server:
        with pytest.raises(CallError) as caught:
            one_chunk(server, "stall", silence_timeout=0.5)
        requests = server.requests
    assert "stalled: no token for 0.5s" in str(caught.value)
    assert "not sent again" in str(caught.value)
    assert requests == 1 and caught.value.attempts == 1  # the transport retries did not resend it
    assert abandoned(server) == 1  # the server saw the client go and stopped writing


def test_an_answer_that_never_starts_fails_after_the_timeout_not_resent():
    with ScriptedServer(latency=2.0) as server, pytest.raises(CallError) as caught:
        one_chunk(server, "correct", timeout=0.5)
    assert server.requests == 1
    assert "did not start within 0.5s" in str(caught.value) or "no answer within 0.5s" in str(caught.value)


# --- budget and runaways ----------------------------------------------------------------------


def test_a_looping_answer_is_cut_and_asked_once_more_with_a_reminder():
    with ScriptedServer() as server:
        claims, _, usage = one_chunk(server, "runaway-then-ok")
    assert {c.value for c in claims} == {68.6, None}
    assert usage.runaways == 1 and server.requests == 2
    first, second = server.bodies
    assert first["messages"] != second["messages"]  # never the same request again
    assert RUNAWAY_REMINDER in second["messages"][-1]["content"]
    assert RUNAWAY_REMINDER not in json.dumps(first, ensure_ascii=False)
    assert abandoned(server) == 1  # cut while it streamed, not at its budget


def test_an_answer_running_away_twice_fails_the_chunk_with_a_reason():
    with ScriptedServer() as server, pytest.raises(CallError) as caught:
        one_chunk(server, "runaway-always")
    assert server.requests == 2 and caught.value.runaways == 2
    assert "ran away twice" in str(caught.value) and "repeating" in str(caught.value)


def test_an_answer_cut_at_its_budget_counts_as_a_runaway():
    # Without streaming the loop is not seen while it runs: the server cuts it at the budget.
    with ScriptedServer() as server:
        claims, _, usage = one_chunk(server, "runaway-then-ok", stream=False)
    assert {c.value for c in claims} == {68.6, None} and usage.runaways == 1
    assert all(b["max_tokens"] == answer_budget(TEXT, 4096) for b in server.bodies)


def test_runaways_are_counted_in_the_article_usage_and_per_chunk():
    with ScriptedServer() as server, backend(server, "runaway-then-ok") as b:
        result = run_backend(ARTICLE, b)
    assert result.ok and result.usage.runaways == 1
    assert result.chunks[0]["runaways"] == 1 and result.chunks[0]["budget"] == answer_budget(TEXT, 4096)


# --- progress ---------------------------------------------------------------------------------


def test_progress_reports_tokens_and_rate_while_the_answer_streams():
    seen: list[dict] = []
    with ScriptedServer(faults=FaultPlan(trickle=0.05)) as server:
        settings = Settings(base_url=server.url, model="scripted-slow-stream", mode="json", timeout=2.0,
                            silence_timeout=0.5)  # fmt: skip
        with LLMBackend(settings, on_progress=seen.append) as b:
            b.call(Chunk(0, 0, len(TEXT), TEXT), ArticleContext(), doc_id="a")
    assert len(seen) >= 2 and seen[-1]["done"] and not seen[0]["done"]
    assert seen[0]["chunk"] == "a chunk 0"
    assert [p["tokens"] for p in seen] == sorted(p["tokens"] for p in seen)
    assert seen[-1]["tokens_per_s"] > 0 and seen[-1]["budget"] == answer_budget(TEXT, 4096)


# --- the pure parts ---------------------------------------------------------------------------


def test_the_budget_grows_with_the_figures_and_is_capped():
    assert answer_budget("没有数字。", 4096) < answer_budget(TEXT, 4096) < answer_budget(TEXT * 10, 4096)
    assert answer_budget(TEXT * 100, 1000) == 1000


@pytest.mark.parametrize(
    ("text", "loops"),
    [
        ('{"records": [' + '{"indicator": "工业", "value": 1.5, "evidence": "工业1.5亿元"}, ' * 3, True),
        ("0" * 130, True),
        ("0" * 100, False),
        ('{"records": [{"indicator": "投资", "value": 68.6}, {"indicator": "工业", "value": 7.4}]}', False),
        ("", False),
    ],
)
def test_repeating_sees_loops_only(text, loops):
    assert repeating(text) is loops


def test_the_assembler_rebuilds_the_completion_and_ignores_pings():
    a = StreamAssembler()
    events = [
        {"id": "x", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"id": "x", "choices": [{"index": 0, "delta": {"content": '{"records": '}}]},
        {"id": "x", "choices": [{"index": 0, "delta": {"content": "[]}"}, "finish_reason": "stop"}]},
        {"id": "x", "choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}},
    ]
    progress = [a.feed("data: " + json.dumps(e)) for e in events]
    assert progress == [False, True, True, False]
    assert a.feed(": ping - 2026-12-06") is False and a.feed("") is False
    a.feed("data: [DONE]")
    done = a.completion()
    assert a.done and done["choices"][0]["message"]["content"] == '{"records": []}'
    assert done["choices"][0]["finish_reason"] == "stop" and done["usage"]["total_tokens"] == 9


def test_the_cli_logs_slow_answers_while_they_stream_and_q_stays_quiet(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from llm_extract.cli import Progress, cli

    monkeypatch.setattr(Progress, "SLOW", 0.3)
    monkeypatch.setattr(Progress, "EVERY", 0.5)
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with ScriptedServer(faults=FaultPlan(trickle=0.05)) as server:
        args = ["run", str(tmp_path / "a.txt"), "--backend", "openai", "--base-url", server.url, "--model",
                "scripted-slow-stream", "--no-cache", "--timeout", "5", "--silence-timeout", "1"]  # fmt: skip
        loud = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "o.jsonl")])
        quiet = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "q.jsonl"), "-q"])
    assert loud.exit_code == 0 and quiet.exit_code == 0, loud.output + quiet.output
    working = [line for line in loud.output.splitlines() if line.startswith("working a chunk 0: ")]
    assert working and "/" in working[0] and "tokens/s" in working[0]
    assert any(line.startswith("answer  a chunk 0: ") for line in loud.output.splitlines())
    assert "working" not in quiet.output and "tokens/s" not in quiet.output


def test_stream_and_silence_settings_from_the_environment_and_local_defaults():
    local = Settings.from_env({"LLM_EXTRACT_BASE_URL": "http://127.0.0.1:8080/v1"})
    assert local.stream and local.silence_timeout == 120.0 and local.timeout == 600.0
    hosted = Settings.from_env({"LLM_EXTRACT_BASE_URL": "https://api.example.com/v1", "LLM_EXTRACT_STREAM": "0",
                                "LLM_EXTRACT_SILENCE_TIMEOUT": "12.5"})  # fmt: skip
    assert not hosted.stream and hosted.silence_timeout == 12.5 and hosted.timeout == 60.0
    from llm_extract.errors import ConfigError

    with pytest.raises(ConfigError, match="LLM_EXTRACT_STREAM"):
        Settings.from_env({"LLM_EXTRACT_STREAM": "maybe"})
    with pytest.raises(ConfigError, match="silence_timeout"):
        Settings(silence_timeout=0)


def test_the_cli_no_stream_flag_sends_plain_requests(tmp_path):
    from click.testing import CliRunner

    from llm_extract.cli import cli

    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with ScriptedServer() as server:
        result = CliRunner().invoke(cli, ["run", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o.jsonl"), "--backend",
                                          "openai", "--base-url", server.url, "--model", "scripted-correct",
                                          "--no-cache", "--no-stream", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert server.bodies and all("stream" not in b for b in server.bodies)


def test_a_chunk_without_any_figure_is_not_sent():
    with ScriptedServer() as server, backend(server, "correct") as b:
        result = run_backend(Article("plain", "2023年05月10日 来源:示例日报\n全市上下齐心协力，推动高质量发展。"), b)
    assert result.ok and not result.records and server.requests == 0
