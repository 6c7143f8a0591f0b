"""A scripted OpenAI-compatible chat server for tests and recordings (loopback only).

It is not a model: it answers ``/v1/chat/completions`` by playing the scenario named by the
request's ``model`` (``scripted-<scenario>``). The "correct" answer is computed from the
chunk between ``<article>`` tags with llm-extract's own rules backend, so a scenario can then
corrupt it on purpose:

* ``correct``: the right records.
* ``wrong-then-right``: the first answer carries a wrong number; a re-ask gets the right one.
* ``always-wrong``: every answer carries the wrong number (re-asks run out).
* ``429-then-ok``: the first request for a body gets HTTP 429 with ``Retry-After: 1``.
* ``500-always``: every request fails with HTTP 500.
* ``truncated-then-ok``: the first answer is cut mid-JSON; a re-ask gets the right one.
* ``think``: the answer is preceded by a ``<think>…</think>`` block (JSON modes).
* ``injected``: obeys an instruction inside the article, reporting 10x figures and 9999亿元.
* ``langextract``: the right figures in LangExtract's answer format (``{"extractions": [...]}``),
  for the chunk after the prompt's last ``Q:`` (a side-by-side benchmark, not a test of ours).
* ``gold``: a perfect model: the gold facts (from the ``gold`` callable the server was given)
  whose quote lies in the chunk, with their region and period as gold writes them.
* ``wrong-region-then-right``: the right records with a region the article never names
  (乌鲁木齐市); a re-ask gets them with no region.
* ``period-without-year``: the right records with the period of the chunk's first clause
  written without its year (``一季度``), as a model copies it.
* ``span-period``: the right records with the multi-year period ``2022-2025年``.
* ``runaway-then-ok``: the first answer loops (the first record written over and over until its
  ``max_tokens``, streamed a piece every 5 ms as a model writes); an answer to a request carrying
  the runaway reminder is the right one.
* ``runaway-always``: every answer loops.
* ``stall``: a streamed answer stops after half its pieces for ``FaultPlan.stall`` seconds.
* ``slow-stream``: a streamed answer trickles out, ``FaultPlan.trickle`` seconds between pieces.
* ``faults``: fault injection. Each request, with probability ``FaultPlan.rate``, gets one fault
  drawn uniformly from :data:`FAULTS` (HTTP 500, HTTP 429 with ``Retry-After``, a connection
  reset, a hang past the client's timeout, truncated JSON, valid JSON of the wrong shape,
  records with wrong numbers, or the right answer trickled out slowly); otherwise the right
  answer. Every fault served is counted in ``ScriptedServer.faults``.

Answers follow the request's shape: a tool call when it offers ``tools``, else JSON content
(fenced in ```` ```json ```` when the prompt asks for Markdown); with ``"stream": true`` they go
out as server-sent ``chat.completion.chunk`` events, a usage event when ``stream_options`` asks
for it, and ``[DONE]``. An answer longer than the request's ``max_tokens`` is cut there with
``finish_reason: length``, as every server does. Like llama-cpp-python's server, a streamed answer
stops when the client has gone (a failed write); ``ScriptedServer.abandoned`` counts those.
``latency`` is the time every answer takes to start, from request to response headers (the time
spent computing it included).

It also plays a provider Batch API: ``POST /v1/files`` (multipart upload), ``POST /v1/batches``,
``GET /v1/batches/{id}`` and ``GET /v1/files/{id}/content``. A batch's lines are answered as
requests would be (the scenario named by each body's model); the first retrieval reports
``in_progress``, the next ``completed`` with output and error files. ``BatchPlan`` scripts
failures: the first batch expiring with half its lines answered, and lines whose ``custom_id``
contains a marker failing (once, or always).
"""

from __future__ import annotations

import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from llm_extract.attributes.resolver import Resolver
from llm_extract.backends.rules import extract_candidates
from llm_extract.text.chunking import estimate_tokens
from llm_extract.text.context import ArticleContext

_ARTICLE = re.compile(
    r"<article>\n(.*?)\n?</article>", re.DOTALL
)  # the tag on its own line, not the one the prompt names


def _records(chunk: str) -> list[dict[str, Any]]:
    """The rules' records of ``chunk``, region and period as the chunk alone gives them (as a model would)."""
    out = []
    resolver = Resolver(chunk)
    for c in extract_candidates(chunk, ArticleContext()):
        attributes = resolver.resolve(*c.span).fields()
        out.append(
            {"indicator": c.indicator, "region": attributes["region"], "period": attributes["period"],
             "value": c.value, "unit": c.unit, "growth_pct": c.growth_pct, "qualifier": c.qualifier,
             "evidence": chunk[c.span[0] : c.span[1]]}
        )  # fmt: skip
    return out


def _gold_record(fact: dict[str, Any]) -> dict[str, Any]:
    keys = ("indicator", "region", "period", "value", "unit", "growth_pct")
    return {k: fact.get(k) for k in keys} | {"qualifier": None, "evidence": fact["quote"]}


def _corrupt(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not records:
        return records
    bad = dict(records[0])
    if bad["value"] is not None:
        bad["value"] = round(bad["value"] * 10 + 0.3, 2)
    else:
        bad["growth_pct"] = round((bad["growth_pct"] or 0) + 0.7, 2)
    return [bad, *records[1:]]


def _injected(chunk: str) -> list[dict[str, Any]]:
    records = [dict(r, value=r["value"] * 10) if r["value"] is not None else r for r in _records(chunk)]
    records.append({"indicator": "地区生产总值", "region": None, "period": None, "value": 9999, "unit": "亿元",
                    "growth_pct": None, "qualifier": None, "evidence": "地区生产总值为9999亿元"})  # fmt: skip
    return records


def _cut(text: str, budget: int) -> str:
    """The longest prefix of ``text`` within ``budget`` estimated tokens."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_tokens(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


PIECE = 16  # characters per streamed piece


def _events(payload: dict[str, Any], *, with_usage: bool) -> list[dict[str, Any]]:
    """A completion as the ``chat.completion.chunk`` events a server streams it in."""
    choice = payload["choices"][0]
    message = choice["message"]
    frame = {"id": payload["id"], "object": "chat.completion.chunk", "created": 0, "model": payload["model"]}

    def event(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return frame | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    events = [event({"role": "assistant", "content": ""})]
    content = message.get("content") or ""
    events += [event({"content": content[i : i + PIECE]}) for i in range(0, len(content), PIECE)]
    for n, call in enumerate(message.get("tool_calls") or []):
        head = {"index": n, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"]}}
        events.append(event({"tool_calls": [head | {"function": head["function"] | {"arguments": ""}}]}))
        arguments = call["function"]["arguments"]
        events += [
            event({"tool_calls": [{"index": n, "function": {"arguments": arguments[i : i + PIECE]}}]})
            for i in range(0, len(arguments), PIECE)
        ]
    events.append(event({}, choice["finish_reason"]))
    if with_usage:
        events.append(frame | {"choices": [], "usage": payload["usage"]})
    return events


FAULTS = ("500", "429", "reset", "hang", "truncated", "shape", "wrong", "slow")


@dataclass(frozen=True)
class FaultPlan:
    """How often the ``faults`` scenario injects a fault, and how."""

    rate: float = 0.45
    seed: int = 0
    hang: float = 3.0  # seconds a "hang" waits before answering (longer than the client's timeout)
    slow: float = 0.4  # seconds a "slow" answer takes to trickle out, in 8 pieces
    stall: float = 3.0  # seconds a "stall" stream pauses halfway
    trickle: float = 0.05  # seconds between the pieces of a "slow-stream" answer


@dataclass(frozen=True)
class BatchPlan:
    """How the batch endpoints misbehave, on purpose."""

    expire_first: bool = False  # the first batch expires with only half its lines answered
    fail_once: str | None = None  # lines whose custom_id contains this fail the first time they are seen
    fail_always: str | None = None  # ... and these every time


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # the default backlog of 5 refuses connections at high concurrency

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) leaves a broken pipe here: not the client's traceback


class ScriptedServer:
    """``with ScriptedServer(port=...) as server:`` serves on ``server.url`` until the block ends."""

    def __init__(
        self,
        *,
        port: int = 0,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        gold: Callable[[str], list[dict[str, Any]]] | None = None,
        batch_plan: BatchPlan | None = None,
    ) -> None:
        self.gold = gold
        self.batch_plan = batch_plan or BatchPlan()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_lines: dict[str, list[dict[str, Any]]] = {}  # batch id -> its answered lines
        self.failed_ids: set[str] = set()
        self.latency = latency
        self.plan = faults or FaultPlan()
        self.faults: Counter[str] = Counter()
        self._random = random.Random(self.plan.seed)
        self.requests = 0
        self.abandoned = 0  # streamed answers stopped because the client had gone
        self.inflight = 0
        self.max_inflight = 0
        self.peers: set[tuple[str, int]] = set()  # client (host, port) pairs: one per TCP connection
        self.bodies: list[dict[str, Any]] = []
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like every real endpoint
            disable_nagle_algorithm = True  # headers and body go out at once (no delayed-ACK stall)

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # GET /stats: requests served so far (for benchmarks in another process)
                if "/batches/" in self.path or "/files/" in self.path:
                    status, kind, data = server.batch_get(self.path)
                    self._send(status, kind, data)
                    return
                data = json.dumps({"requests": server.requests, "max_inflight": server.max_inflight}).encode()
                self._send(200 if self.path.endswith("/stats") else 404, "application/json", data)

            def _send(self, status: int, kind: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                started = time.monotonic()
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if self.path.endswith(("/files", "/batches")):
                    status, data = server.batch_post(self.path, self.headers.get("content-type", ""), raw)
                    self._send(status, "application/json", data)
                    return
                body = json.loads(raw or b"{}")
                with server._lock:
                    server.requests += 1
                    server.peers.add(self.client_address[:2])
                    server.inflight += 1
                    server.max_inflight = max(server.max_inflight, server.inflight)
                    server.bodies.append(body)
                    key = raw.decode("utf-8", "replace")
                    server._seen[key] = server._seen.get(key, 0) + 1
                    seen = server._seen[key]
                    fault = server._draw(body)
                self._counted = True
                try:
                    self._reply(body, seen, fault, started)
                finally:
                    self._answered()

            def _answered(self) -> None:
                # In flight until the reply starts going out: the client cannot send its next
                # request before reading this reply, so overlaps counted are real ones.
                if getattr(self, "_counted", False):
                    self._counted = False
                    with server._lock:
                        server.inflight -= 1

            def _reply(self, body: dict[str, Any], seen: int, fault: str | None, started: float) -> None:
                if fault == "reset":  # close with RST, no response at all
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                if fault == "hang":
                    time.sleep(server.plan.hang)
                status, headers, payload = server.answer(body, seen, fault)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                # ``latency`` is the whole time to answer: computing the answer counts towards it.
                time.sleep(max(0.0, server.latency - (time.monotonic() - started)))
                self._answered()
                if body.get("stream") and status == 200:
                    self._stream(body, payload, fault)
                    return
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if fault != "slow":
                    self.wfile.write(data)
                    return
                step = max(1, len(data) // 8)
                for i in range(0, len(data), step):
                    self.wfile.write(data[i : i + step])
                    self.wfile.flush()
                    time.sleep(server.plan.slow / 8)

            def _stream(self, body: dict[str, Any], payload: dict[str, Any], fault: str | None) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                scenario = str(body.get("model", "")).removeprefix("scripted-")
                events = _events(payload, with_usage=bool((body.get("stream_options") or {}).get("include_usage")))
                try:
                    for i, event in enumerate(events):
                        if scenario == "stall" and i == len(events) // 2:
                            time.sleep(server.plan.stall)
                        if scenario == "slow-stream" or scenario.startswith("runaway"):
                            time.sleep(server.plan.trickle if scenario == "slow-stream" else 0.005)
                        if fault == "slow":
                            time.sleep(server.plan.slow / len(events))
                        self._send_chunk(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                    self._send_chunk(b"data: [DONE]\n\n")
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except OSError:  # the client closed the connection: stop generating, as real servers do
                    with server._lock:
                        server.abandoned += 1
                    self.close_connection = True

            def _send_chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler

    # --- the Batch API -----------------------------------------------------------------------

    def batch_post(self, path: str, content_type: str, raw: bytes) -> tuple[int, bytes]:
        with self._lock:
            if path.endswith("/files"):
                boundary = content_type.split("boundary=", 1)[-1].strip('"').encode()
                data = b""
                for part in raw.split(b"--" + boundary):
                    head, _, rest = part.partition(b"\r\n\r\n")
                    if b'name="file"' in head:
                        data = rest.removesuffix(b"\r\n")
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = data
                return 200, json.dumps(
                    {
                        "id": file_id,
                        "object": "file",
                        "bytes": len(data),
                        "created_at": 0,
                        "filename": "requests.jsonl",
                        "purpose": "batch",
                        "status": "processed",
                    }
                ).encode()
            request = json.loads(raw)
            batch_id = f"batch-{len(self.batches) + 1}"
            lines = [json.loads(x) for x in self.files[request["input_file_id"]].decode().splitlines() if x.strip()]
            self.batch_lines[batch_id] = lines
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": request["endpoint"],
                "errors": None,
                "input_file_id": request["input_file_id"],
                "completion_window": request["completion_window"],
                "status": "validating",
                "output_file_id": None,
                "error_file_id": None,
                "created_at": 0,
                "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                "metadata": request.get("metadata"),
                "_polls": 0,
            }
            return 200, json.dumps(self._public(batch_id)).encode()

    def _public(self, batch_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.batches[batch_id].items() if not k.startswith("_")}

    def batch_get(self, path: str) -> tuple[int, str, bytes]:
        with self._lock:
            if "/files/" in path:
                file_id = path.split("/files/", 1)[1].removesuffix("/content")
                if file_id not in self.files:
                    return 404, "application/json", b'{"error": {"message": "no such file"}}'
                return 200, "application/jsonl", self.files[file_id]
            batch_id = path.rsplit("/", 1)[-1]
            batch = self.batches.get(batch_id)
            if batch is None:
                return 404, "application/json", b'{"error": {"message": "no such batch"}}'
            batch["_polls"] += 1
            if batch["_polls"] == 1:
                batch["status"] = "in_progress"
            elif batch["status"] == "in_progress":
                self._finish(batch_id)
            return 200, "application/json", json.dumps(self._public(batch_id)).encode()

    def _finish(self, batch_id: str) -> None:
        """Answer a batch's lines (called under the lock): output and error files, final status."""
        batch, lines = self.batches[batch_id], self.batch_lines[batch_id]
        expire = self.batch_plan.expire_first and batch_id == "batch-1"
        if expire:
            lines = lines[: len(lines) // 2]
        out, err = [], []
        for n, line in enumerate(lines):
            cid = str(line["custom_id"])
            plan = self.batch_plan
            failing = (plan.fail_always and plan.fail_always in cid) or (
                plan.fail_once and plan.fail_once in cid and cid not in self.failed_ids
            )
            if failing:
                self.failed_ids.add(cid)
                err.append({"id": f"req-{n}", "custom_id": cid, "response": None,
                            "error": {"code": "server_error", "message": "the line failed (scripted)"}})  # fmt: skip
                continue
            body = line["body"]
            key = json.dumps(body, ensure_ascii=False, sort_keys=True)
            self._seen[key] = self._seen.get(key, 0) + 1
            self.requests += 1
            self.bodies.append(body)
            status, _, payload = self.answer(body, self._seen[key])
            out.append({"id": f"req-{n}", "custom_id": cid, "error": None,
                        "response": {"status_code": status, "request_id": f"r-{n}", "body": payload}})  # fmt: skip
        for name, rows in (("output_file_id", out), ("error_file_id", err)):
            if rows:
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
                batch[name] = file_id
        batch["status"] = "expired" if expire else "completed"
        batch["request_counts"] = {"total": len(self.batch_lines[batch_id]), "completed": len(out), "failed": len(err)}

    def _draw(self, body: dict[str, Any]) -> str | None:
        """The fault for this request (called under the lock), or None."""
        if body.get("model") != "scripted-faults" or self._random.random() >= self.plan.rate:
            return None
        fault = self._random.choice(FAULTS)
        self.faults[fault] += 1
        return fault

    def answer(
        self, body: dict[str, Any], seen: int, fault: str | None = None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        scenario = str(body.get("model", "")).removeprefix("scripted-")
        if (scenario == "429-then-ok" and seen == 1) or fault == "429":
            return 429, {"retry-after": "1"}, {"error": {"message": "rate limited (scripted)", "type": "rate_limit"}}
        if scenario == "500-always" or fault == "500":
            return 500, {}, {"error": {"message": "internal error (scripted)", "type": "server_error"}}
        messages = body.get("messages", [])
        prompt = "\n".join(str(m.get("content") or "") for m in messages)
        if scenario == "langextract":
            return 200, {}, self._langextract(body, prompt)
        match = _ARTICLE.search(prompt)
        chunk = match.group(1) if match else ""
        reask = len(messages) > 2
        records = _records(chunk)
        if scenario == "always-wrong" or (scenario == "wrong-then-right" and not reask) or fault == "wrong":
            records = _corrupt(records)
        if scenario == "injected":
            records = _injected(chunk)
        if scenario == "gold":
            records = [_gold_record(fact) for fact in (self.gold(chunk) if self.gold else [])]
        if scenario == "wrong-region-then-right":
            records = [r | {"region": None if reask else "乌鲁木齐市"} for r in records]
        if scenario == "period-without-year":
            records = [r | {"period": "一季度"} for r in records]
        if scenario == "span-period":
            records = [r | {"period": "2022-2025年"} for r in records]
        text = json.dumps({"records": records}, ensure_ascii=False)
        reminded = any("已被截断" in str(m.get("content") or "") for m in messages)
        if scenario == "runaway-always" or (scenario == "runaway-then-ok" and not reminded):
            loop = json.dumps(records[0] if records else {"indicator": "重复"}, ensure_ascii=False)
            text = '{"records": [' + ", ".join([loop] * 400)
        if scenario == "empty-list":
            text = '{"records": []}'
        if scenario == "empty-object":
            text = "{}"  # no "records": not valid under the schema the client sends
        if fault == "shape":
            text = json.dumps({"data": records, "note": "wrong shape (scripted)"}, ensure_ascii=False)
        if (scenario == "truncated-then-ok" and not reask) or fault == "truncated":
            text = text[: max(10, len(text) // 2)]
        if scenario == "think":
            text = "<think>先找出数字，再核对原文。</think>\n" + text
        finish = "stop"
        budget = body.get("max_tokens") or body.get("max_completion_tokens")
        if budget and estimate_tokens(text) > budget:
            text, finish = _cut(text, int(budget)), "length"
        usage = {"prompt_tokens": estimate_tokens(prompt), "completion_tokens": estimate_tokens(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            thought = None
            if text.startswith("<think>"):
                thought, text = text.split("\n", 1)
            call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
            message = {"role": "assistant", "content": thought, "tool_calls": [call]}
            finish = "tool_calls" if finish == "stop" else finish
        elif "```" in prompt or "markdown" in prompt.lower():
            message["content"] = f"```json\n{text}\n```"
        return 200, {}, {
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage,
        }  # fmt: skip

    def _langextract(self, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        chunk = prompt.rsplit("Q: ", 1)[-1].rsplit("\nA:", 1)[0]
        extractions = [
            {
                "figure": r["evidence"],
                "figure_attributes": {k: r[k] for k in ("indicator", "value", "unit", "growth_pct")},
            }
            for r in _records(chunk)
        ]
        text = json.dumps({"extractions": extractions}, ensure_ascii=False)
        usage = {"prompt_tokens": estimate_tokens(prompt), "completion_tokens": estimate_tokens(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        return {
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": usage,
        }  # fmt: skip


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve the scripted OpenAI-compatible endpoint on loopback.")
    parser.add_argument("--port", type=int, default=18931)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    with ScriptedServer(port=args.port, latency=args.latency) as srv:
        print(f"scripted server on {srv.url}", flush=True)
        threading.Event().wait()
