"""The call layer: the only module that imports ``openai`` and ``instructor``.

One request per chunk goes to an OpenAI-compatible endpoint through instructor. The answer's
records are verified *inside* the response model's validator, with the chunk in the
validation context: a record whose numbers are not written in its evidence makes validation
fail, and instructor re-asks with the validator's message, which says in Chinese which figure
is not in the text and which figures nearby are. ``max_retries`` bounds the re-asks; on the
last attempt the validator stops raising and hands the still-unverified records over as
*rejected* (with reasons), so nothing the model said is lost.

Transport failures (429 honouring ``Retry-After``, 5xx, connection errors and connect timeouts)
are retried by the openai client with backoff, at the HTTP layer only; instructor's integer
``max_retries`` retries validation errors only, so the two never multiply (NOTES §4). A request
whose answer did not come in time is not sent again: the endpoint may still be working on it.

Answers are streamed (``Settings.stream``): the HTTP layer asks the endpoint for server-sent
events and assembles them into the one completion instructor expects, so a slow model that is
writing is never cut off, and one that stops writing is noticed within ``silence_timeout``. When
the client gives up it closes the connection, and a server that checks for that between tokens
(llama-cpp-python, llama.cpp's server, vLLM, Ollama) stops working on the abandoned answer. Each
chunk's answer gets a token budget from its figures (:func:`llm_extract.backends.answers.answer_budget`);
an answer that reaches it, or loops, is a *runaway*: cut, counted, and asked once more with a
reminder appended (never the same request again).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import copy
import dataclasses
import functools
import hashlib
import json
import logging
import re
import textwrap
import threading
import time
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeVar

import httpx2
import instructor
import openai
import pydantic
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core import templating as _instructor_templating
from instructor.v2.core.function_calls import ResponseSchema
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field, create_model, model_validator

from llm_extract.attributes.resolver import Resolver, figure_position, resolver_for
from llm_extract.backends.answers import StreamAssembler, answer_budget, repeating
from llm_extract.backends.prompting import PromptTemplate, load_template
from llm_extract.backends.records import EconomicIndicator, claims_of, schema_hash
from llm_extract.errors import CallError, ConfigError
from llm_extract.figures.numbers import find_mentions
from llm_extract.figures.verify import Source, verify
from llm_extract.run.cache import ChunkCache
from llm_extract.run.pacing import Pacer
from llm_extract.settings import Settings
from llm_extract.text.chunking import Chunk, chunk
from llm_extract.text.context import ArticleContext
from llm_extract.types import Claim, Cleaned, Proposal, Usage

__all__ = ["BatchAnswer", "BatchCalls", "LLMBackend", "response_model_for"]

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
T = TypeVar("T")
try:
    _VERSION = version("llm-extract")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0"
_THINK = re.compile(r"<think>.*?</think>\s*", re.DOTALL)
# instructor logs every failed attempt at ERROR; the caller gets the outcome as data instead.
logging.getLogger("instructor").addHandler(logging.NullHandler())


@dataclass
class _CallState:
    """Per-call bookkeeping, reached from hooks and validators through a context variable."""

    max_attempts: int
    source: Source | None = None
    resolver: Resolver | None = None  # the whole article's, for the records' region and period
    offset: int = 0  # where the chunk starts in the cleaned article
    attempts: int = 0
    requests: int = 0
    rejected: list[tuple[Claim, str]] = field(default_factory=list)
    label: str = ""  # doc and chunk, for progress lines
    budget: int = 0  # the answer's max_tokens
    runaway: str = ""  # why the stream was cut: "repeating" (set by the reader), "" otherwise
    streamed_prompt_tokens: int = 0  # tokens reported by streamed answers (all attempts)
    streamed_completion_tokens: int = 0

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


_STATE: contextvars.ContextVar[_CallState | None] = contextvars.ContextVar("llm_extract_call", default=None)
_SCHEMAS: weakref.WeakKeyDictionary[type[BaseModel], dict[str, Any]] = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Any:
    return SandboxedEnvironment().from_string(source)


def _use_compiled_templates() -> None:
    """Inside llm-extract's calls, compile each distinct message template once.

    instructor renders every message as a template built anew on each call,
    ``dedent(SandboxedEnvironment().from_string(text).render(**context))``; for our system
    prompt with the JSON Schema appended that compile was about a fifth of the client's CPU per
    request. The replacement renders exactly that expression from a compiled-once template
    (the message text is the cache key; the article is only ever in ``context``, never in a
    template source). Calls made outside an llm-extract request go to instructor's function
    untouched, and if instructor's function does not give the same output on a set of probes
    (a different instructor), nothing is replaced.
    """
    original = getattr(_instructor_templating, "apply_template", None)
    if original is None or getattr(original, "_llm_extract", False):
        return

    def apply_template(text: str, context: dict[str, Any]) -> str:
        if _STATE.get() is None:
            return str(original(text, context))
        return textwrap.dedent(_compiled(text).render(**context))

    probes: list[tuple[str, dict[str, Any]]] = [
        ("系统提示\n\n{{ chunk }}\n", {"chunk": "{{ x }} {% if %} {# #}"}),
        ("  缩进\n  {{ title or '未知' }}\n\t\n  尾\n\n", {"title": None}),
        ('{"a": 1}\n<article>\n{{ chunk }}\n</article>', {"chunk": "  一行\n  \n  两行  "}),
    ]
    if any(original(text, ctx) != textwrap.dedent(_compiled(text).render(**ctx)) for text, ctx in probes):
        return
    apply_template._llm_extract = True  # type: ignore[attr-defined]
    setattr(_instructor_templating, "apply_template", apply_template)  # noqa: B010 (the module's global)


_use_compiled_templates()


def _identity_source(text: str) -> Source:
    from array import array

    return Source.of(Cleaned(raw=text, text=text, index=array("i", range(len(text)))))


def _reask_message(failures: list[tuple[int, Claim, list[str]]]) -> str:
    lines = [
        "以下记录中的数字在原文（所引证据）中找不到依据。请逐条核对原文：只保留原文写明的数字，改正或删除这些记录，其余记录保持不变。"
    ]
    if any(r.startswith(("地区“", "统计期“")) for _, _, reasons in failures for r in reasons):
        lines.append("地区和统计期也必须是原文写出的（或由文章日期推出的），不要自己补充。")
    for n, claim, reasons in failures:
        lines.append(f"第{n}条（{claim.indicator}）：" + "；".join(reasons))
    return "\n".join(lines)


def response_model_for(schema: type[BaseModel]) -> type[BaseModel]:
    """The chunk-level response model: ``{"records": [schema, ...]}`` whose validator verifies."""

    class _Verifying(BaseModel):
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            """The JSON Schema, built once per class (instructor asks for it on every call)."""
            if args or kwargs:
                return super().model_json_schema(*args, **kwargs)
            cached = _SCHEMAS.get(cls)
            if cached is None:
                cached = _SCHEMAS[cls] = super().model_json_schema()
            return copy.deepcopy(cached)

        @model_validator(mode="after")
        def _verify_records(self) -> Any:
            state = _STATE.get()
            source = state.source if state is not None else None
            if source is None:
                return self
            kept, failures = [], []
            for n, record in enumerate(getattr(self, "records", []), start=1):
                claim = claims_of(record)
                result = verify(claim, source)
                problems = result.reasons if not result.verified else _attribute_problems(state, claim, result)
                if not problems:
                    kept.append(record)
                else:
                    failures.append((n, claim, problems))
            if failures and state is not None and not state.last_attempt:
                raise ValueError(_reask_message(failures))
            if state is not None:
                state.rejected.extend((claim, "；".join(reasons)) for _, claim, reasons in failures)
            self.records = kept
            return self

    # Subclassing instructor's ResponseSchema up front spares instructor wrapping the model in a
    # fresh class on every call (and its schema caches then hit).
    return create_model(
        "Extracted",
        __base__=(_Verifying, ResponseSchema),
        records=(
            list[schema],  # type: ignore[valid-type]
            Field(description="本段文字中的全部经济数字，每个数字一条；没有则为空列表 []。"),
        ),
    )


def _attribute_problems(state: _CallState | None, claim: Claim, result: Any) -> list[str]:
    """What is wrong with a verified record's region and period, checked against the whole article."""
    if state is None or state.resolver is None or state.source is None:
        return []
    start, end = figure_position(state.source.cleaned, result)
    _, problems = state.resolver.check(claim.region, claim.period, state.offset + start, state.offset + end)
    return problems


def _on_kwargs(*args: Any, **kwargs: Any) -> None:
    state = _STATE.get()
    if state is not None:
        state.attempts += 1


def _on_response(response: Any) -> None:
    """Tolerate ``<think>…</think>`` before the answer (reasoning models)."""
    for choice in getattr(response, "choices", None) or []:
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        if message is not None and isinstance(content, str) and "<think>" in content:
            message.content = _THINK.sub("", content)


class _Turns:
    """CPU-heavy steps take turns: at most one starts per event-loop iteration.

    Preparing a request or parsing and verifying an answer takes milliseconds of CPU with no
    pause in between. When sixteen answers arrive together, running their parsing back to back
    would keep every other socket waiting (responses unread, freed slots unused) for all of it.
    Each step first waits for its turn; between two turns the loop polls its sockets and runs
    what became ready, so I/O waits for at most one step.
    """

    def __init__(self) -> None:
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._scheduled = False

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append(future)
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._next, loop)
        await future

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():  # a cancelled waiter gives its turn away
                future.set_result(None)
                break
        if self._waiting:
            loop.call_soon(self._next, loop)  # the next turn: in the following iteration
        else:
            self._scheduled = False


class _Stalled(openai.APITimeoutError):
    """A streamed answer that did not start within ``timeout`` or paused longer than ``silence_timeout``.

    An OpenAIError, so the openai client passes it on instead of retrying: the connection is
    closed, and the chunk ends with :attr:`reason`.
    """

    def __init__(self, request: httpx2.Request, reason: str) -> None:
        super().__init__(request=request)
        self.reason = reason


ProgressCallback = Callable[[dict[str, Any]], None]
_PROGRESS_EVERY = 0.5  # seconds between two progress reports of one answer
_LOOP_CHECK_EVERY = 16  # streamed pieces between two checks for a looping answer


@dataclass
class _StreamPolicy:
    """How a streamed answer is read: its time limits, and who hears about its progress."""

    timeout: float
    silence: float
    pacer: Pacer
    on_progress: ProgressCallback | None = None


def _streamable(request: httpx2.Request) -> dict[str, Any] | None:
    """The JSON body of a non-streamed chat-completion request, or None for anything else."""
    if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
        return None
    try:
        body = json.loads(request.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) and not body.get("stream") else None


def _as_streamed(request: httpx2.Request, body: dict[str, Any]) -> httpx2.Request:
    body = body | {"stream": True, "stream_options": {"include_usage": True}}
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    return httpx2.Request(
        request.method,
        request.url,
        headers=headers,
        content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        extensions=request.extensions,
    )


class _LimitedHttpClient(openai.DefaultAsyncHttpxClient):
    """The HTTP client with ``limit`` bounding the exchanges in flight (request sent to body read;
    the openai client reads non-streaming bodies inside ``send``).

    The slot is held for the HTTP exchange only: parsing, validating and verifying an answer
    happen after it is released (in their turn, see :class:`_Turns`), so the next request is
    already on its way meanwhile. With a stream policy, chat completions are sent as streamed
    requests and read by :meth:`_read_stream`; the openai client gets the assembled completion.
    """

    def __init__(
        self, limit: asyncio.Semaphore, turns: _Turns, *, streaming: _StreamPolicy | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._in_flight = limit
        self._turns = turns
        self._streaming = streaming

    async def send(self, request: httpx2.Request, *, stream: bool = False, **kwargs: Any) -> httpx2.Response:
        body = _streamable(request) if self._streaming is not None and not stream else None
        if body is not None:
            request = _as_streamed(request, body)
        async with self._in_flight:
            sent = time.monotonic()
            try:
                response = await super().send(request, stream=stream or body is not None, **kwargs)
                if body is not None:
                    response = await self._read_stream(request, response, sent)
            except httpx2.ReadTimeout as exc:
                # The endpoint has the request and may still be working on it: sending it again would
                # queue a copy behind the abandoned work (a single-slot local server never catches up).
                # An OpenAIError is not retried by the client; connect timeouts and resets still are.
                raise openai.APITimeoutError(request=request) from exc
        try:
            await self._turns.wait()
        except BaseException:  # cancelled while waiting for its turn: do not leak the connection
            await response.aclose()
            raise
        return response

    async def _read_stream(self, request: httpx2.Request, response: httpx2.Response, sent: float) -> httpx2.Response:
        """Read a streamed answer under the time limits; return it as one non-streamed completion.

        An error status, or a server that answered without streaming, is returned as it came.
        """
        policy = self._streaming
        assert policy is not None
        if response.status_code != 200 or "text/event-stream" not in response.headers.get("content-type", ""):
            await response.aread()
            return response
        state = _STATE.get()
        assembler = StreamAssembler()
        lines = response.aiter_lines()
        last = 0.0  # when the answer last grew (0: not started)
        first = 0.0  # when its first token came
        reported = 0.0
        runaway = ""
        try:
            while True:  # to the end of the body, [DONE] included: a fully read connection is reused
                now = time.monotonic()
                wait = (sent + policy.timeout - now) if not last else (last + policy.silence - now)
                try:
                    line = await asyncio.wait_for(anext(lines), max(wait, 0.001))
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    if not last:
                        raise _Stalled(request, f"the answer did not start within {policy.timeout:g}s") from None
                    raise _Stalled(
                        request,
                        f"the answer stalled: no token for {policy.silence:g}s after {assembler.pieces} tokens",
                    ) from None
                if not assembler.feed(line):
                    continue
                last = time.monotonic()
                first = first or last
                if policy.on_progress is not None and last - reported >= _PROGRESS_EVERY:
                    reported = last
                    policy.on_progress(_progress(state, assembler, sent, first, last, done=False))
                if assembler.pieces % _LOOP_CHECK_EVERY == 0 and repeating(assembler.text):
                    runaway = "repeating"  # closing the connection stops a server that checks for it
                    break
        finally:
            await response.aclose()
        if assembler.error is not None:
            return _json_response(request, 502, {"error": assembler.error})  # a 5xx: retried like one
        if not assembler.done and not assembler.finish_reason and not runaway:
            raise httpx2.RemoteProtocolError("the answer stream ended before the answer did", request=request)
        estimated = _estimate(request)
        completion = assembler.completion(
            finish_reason="length" if runaway else None,
            usage={"prompt_tokens": estimated, "completion_tokens": assembler.pieces,
                   "total_tokens": estimated + assembler.pieces},
        )  # fmt: skip
        usage = completion["usage"]
        if state is not None:
            state.runaway = runaway
            state.streamed_prompt_tokens += int(usage.get("prompt_tokens") or 0)
            state.streamed_completion_tokens += int(usage.get("completion_tokens") or 0)
        if policy.pacer.tpm:
            policy.pacer.correct(estimated, int(usage.get("total_tokens") or 0))
        if policy.on_progress is not None:
            policy.on_progress(_progress(state, assembler, sent, first, time.monotonic(), done=True))
        return _json_response(request, 200, completion)


def _json_response(request: httpx2.Request, status: int, payload: dict[str, Any]) -> httpx2.Response:
    return httpx2.Response(
        status,
        headers={"content-type": "application/json"},
        content=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        request=request,
    )


def _progress(
    state: _CallState | None, assembler: StreamAssembler, sent: float, first: float, now: float, *, done: bool
) -> dict[str, Any]:
    """A progress report: tokens so far, and their rate since the first one (prompt reading excluded)."""
    tokens = assembler.pieces
    writing = now - first if first else 0.0
    return {
        "chunk": state.label if state is not None else "",
        "tokens": tokens,
        "budget": state.budget if state is not None else 0,
        "seconds": round(now - sent, 2),
        "tokens_per_s": round((tokens - 1) / writing, 1) if writing > 0 and tokens > 1 else 0.0,
        "done": done,
    }


class LLMBackend:
    """Chunks an article, calls the endpoint per chunk, returns the claims of verified answers.

    All requests run on one private event loop (one thread, however many are in flight):
    :meth:`propose` blocks on it and :meth:`run` executes a whole batch coroutine on it.
    ``concurrency`` caps HTTP exchanges in flight (retries and re-asks included); answers are
    validated and verified outside that cap, so they never hold a request back.
    """

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        schema: type[BaseModel] = EconomicIndicator,
        template: str | PromptTemplate = "extract",
        cache: ChunkCache | None = None,
        concurrency: int = 1,
        pacer: Pacer | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if not settings.configured:
            raise ConfigError("no endpoint configured: set LLM_EXTRACT_BASE_URL or use --backend rules")
        if concurrency < 1:
            raise ConfigError("concurrency must be at least 1")
        self.settings = settings
        self.model = settings.model
        self.schema = schema
        self.template = template if isinstance(template, PromptTemplate) else load_template(template)
        self.response_model = response_model_for(schema)
        self.cache = cache
        self.concurrency = concurrency
        self.pacer = pacer or Pacer()
        self.on_progress = on_progress  # called on the backend's loop thread while answers stream in
        self.meta: dict[str, object] = {
            "backend": self.name,
            "model": self.model,
            "mode": settings.effective_mode,
            "prompt_hash": self.template.hash,
            "schema_hash": schema_hash(schema),
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._client: Any = None
        self._limit: asyncio.Semaphore | None = None
        self._setup_lock: asyncio.Lock | None = None
        self._turns = _Turns()

    def __repr__(self) -> str:
        return (
            f"LLMBackend(base_url={self.settings.base_url!r}, model={self.model!r}, api_key={self.settings.api_key!r})"
        )

    # --- the private loop -------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="llm-extract-calls", daemon=True).start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        """Close the HTTP client and stop the backend's loop thread (a later call starts anew)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is None:
            return
        client, self._client, self._limit, self._setup_lock = self._client, None, None, None
        if client is not None:
            aclient = getattr(client, "client", None)
            if aclient is not None and hasattr(aclient, "close"):
                asyncio.run_coroutine_threadsafe(aclient.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)

    def __enter__(self) -> LLMBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> LLMBackend:
        """Start the loop and build the HTTP client now instead of on the first call."""
        self.run(self._setup())
        return self

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the backend's loop and wait for its result (from any thread)."""
        loop = self._ensure_loop()
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    async def _setup(self) -> None:
        """Create the async client and the in-flight limit on the backend's loop (once).

        The first requests of a batch all arrive here together; the lock makes them share one
        client (and so one limit) although building it awaits.
        """
        if self._client is not None:
            return
        if self._setup_lock is None:
            self._setup_lock = asyncio.Lock()  # created on the loop, no await before: one lock
        async with self._setup_lock:
            if self._client is None:
                await self._build_client()

    async def _build_client(self) -> None:
        self._limit = asyncio.Semaphore(self.concurrency)
        self._turns = _Turns()
        streaming = None
        if self.settings.stream:
            streaming = _StreamPolicy(
                timeout=self.settings.timeout,
                silence=self.settings.silence_timeout,
                pacer=self.pacer,
                on_progress=self.on_progress,
            )
        http = _LimitedHttpClient(
            self._limit,
            self._turns,
            streaming=streaming,
            event_hooks={"request": [self._before_request], "response": [self._after_response]},
        )
        aclient = openai.AsyncOpenAI(
            base_url=self.settings.base_url,
            api_key=self.settings.api_key.get() or "not-needed",
            timeout=self.settings.timeout,
            max_retries=self.settings.transport_retries,
            http_client=http,
        )
        if getattr(aclient, "_platform", False) is None:
            # The client detects the platform (in a worker thread) before its first request; done
            # here once, the first requests of a batch do not all stop to wait for it.
            from openai._base_client import get_platform

            aclient._platform = await asyncio.to_thread(get_platform)
        client = instructor.from_openai(aclient, mode=_MODES[self.settings.effective_mode])
        client.on("completion:kwargs", _on_kwargs)
        client.on("completion:response", _on_response)
        self._client = client

    async def _before_request(self, request: httpx2.Request) -> None:
        state = _STATE.get()
        if state is not None:
            state.requests += 1
        await self.pacer.wait(_estimate(request))

    async def _after_response(self, response: httpx2.Response) -> None:
        streamed = "text/event-stream" in response.headers.get("content-type", "")
        if response.status_code == 200 and self.pacer.tpm and not streamed:  # a stream corrects when read
            try:
                await response.aread()
                total = int(json.loads(response.content).get("usage", {}).get("total_tokens") or 0)
            except (ValueError, AttributeError, httpx2.HTTPError):
                total = 0
            if total:
                self.pacer.correct(_estimate(response.request), total)
        if response.status_code == 429:
            try:
                retry_after = float(response.headers.get("retry-after", "1"))
            except ValueError:
                retry_after = 1.0
            self.pacer.pause(min(retry_after, 60.0))

    # --- proposing -----------------------------------------------------------------------

    def chunks(self, cleaned: Cleaned) -> list[Chunk]:
        return chunk(cleaned.text, max_tokens=self.settings.chunk_tokens)

    def propose(self, doc_id: str, cleaned: Cleaned, context: ArticleContext) -> Proposal:
        return self.run(self.apropose_here(doc_id, cleaned, context))

    async def apropose_here(self, doc_id: str, cleaned: Cleaned, context: ArticleContext) -> Proposal:
        """Propose on the backend's own loop: every chunk concurrently, under the in-flight limit."""
        await self._setup()
        pieces = self.chunks(cleaned)
        resolver = resolver_for(cleaned.text)
        outcomes = await asyncio.gather(*(self._chunk(piece, context, doc_id, resolver) for piece in pieces))
        claims: list[Claim] = []
        rejected: list[tuple[Claim, str]] = []
        errors: list[str] = []
        usage = Usage()
        per_chunk: list[dict[str, object]] = []
        for piece, outcome in zip(pieces, outcomes, strict=True):
            stats: dict[str, object] = {"chunk": piece.index, "span": [piece.start, piece.end], "model": self.model,
                                        "budget": answer_budget(piece.text, self.settings.max_tokens)}  # fmt: skip
            if isinstance(outcome, CallError):
                errors.append(f"chunk {piece.index} [{piece.start}:{piece.end}]: {outcome}")
                usage.requests += outcome.attempts
                usage.runaways += outcome.runaways
                per_chunk.append(stats | {"requests": outcome.attempts, "runaways": outcome.runaways,
                                          "error": str(outcome)})  # fmt: skip
                continue
            got, lost, spent = outcome
            claims.extend(got)
            rejected.extend(lost)
            usage.add(spent)
            per_chunk.append(stats | spent.as_dict() | {"records": len(got), "rejected": len(lost)})
        return Proposal(
            claims=tuple(claims),
            meta=self.meta,
            usage=usage,
            errors=tuple(errors),
            rejected=tuple(rejected),
            chunks=tuple(per_chunk),
        )

    def _cache_key(self, piece: Chunk, context: ArticleContext) -> str:
        return ChunkCache.key(
            {
                "version": _VERSION,
                "model": self.model,
                "base_url": self.settings.base_url,
                "mode": self.settings.effective_mode,
                "prompt": self.template.hash,
                "schema": self.meta["schema_hash"],
                "chunk": hashlib.sha256(piece.text.encode("utf-8")).hexdigest(),
                "context": context.as_dict(),
                "max_retries": self.settings.max_retries,
                "max_tokens": self.settings.max_tokens,
            }
        )

    async def _chunk(
        self, piece: Chunk, context: ArticleContext, doc_id: str, resolver: Resolver | None = None
    ) -> tuple[list[Claim], list[tuple[Claim, str]], Usage] | CallError:
        if not find_mentions(piece.text):
            return [], [], Usage()  # no figure in the chunk: no record could verify, so nothing is asked
        key = self._cache_key(piece, context) if self.cache is not None else ""
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    return _from_cache(hit)
                except (TypeError, ValueError, KeyError, AttributeError):
                    pass  # a corrupt entry is a miss: ask again and overwrite it
        await self._turns.wait()  # building the request is CPU work too
        try:
            result = await self.acall(piece, context, doc_id=doc_id, resolver=resolver)
        except CallError as exc:
            return exc
        if self.cache is not None:
            self.cache.put(key, _to_cache(result))
        return result

    def call(
        self, piece: Chunk, context: ArticleContext, *, doc_id: str = ""
    ) -> tuple[list[Claim], list[tuple[Claim, str]], Usage]:
        """One chunk, blocking: see :meth:`acall`."""

        async def one() -> tuple[list[Claim], list[tuple[Claim, str]], Usage]:
            await self._setup()
            return await self.acall(piece, context, doc_id=doc_id)

        return self.run(one())

    async def acall(
        self, piece: Chunk, context: ArticleContext, *, doc_id: str = "", resolver: Resolver | None = None
    ) -> tuple[list[Claim], list[tuple[Claim, str]], Usage]:
        """One chunk: (claims of verified records, rejected claims with reasons, usage).

        With the article's ``resolver``, a record whose region or period the article does not
        support fails like a wrong number: re-asked, then rejected with the reason. An answer that
        runs away (reaches its budget, or loops) is asked once more with a reminder appended.
        """
        state = _CallState(
            max_attempts=self.settings.max_retries + 1,
            source=_identity_source(piece.text),
            resolver=resolver,
            offset=piece.start,
            label=f"{doc_id} chunk {piece.index}" if doc_id else f"chunk {piece.index}",
            budget=answer_budget(piece.text, self.settings.max_tokens),
        )
        token = _STATE.set(state)
        start = time.perf_counter()
        messages = self.template.messages()
        runaways: list[str] = []
        attempts = 0
        try:
            while True:
                try:
                    result, completion = await self._create(messages, piece, context, doc_id, state.budget)
                    break
                except IncompleteOutputException:
                    runaways.append(state.runaway or f"cut at its budget of {state.budget} tokens")
                    if len(runaways) > 1:
                        raise CallError(
                            f"the answer ran away twice ({'; then '.join(runaways)}); the reminder did not help: "
                            "lower LLM_EXTRACT_CHUNK_TOKENS, or raise LLM_EXTRACT_MAX_TOKENS if the chunk "
                            "really holds that many figures",
                            attempts=state.requests,
                            runaways=len(runaways),
                        ) from None
                    # A new request, not the same one again: the reminder is appended, the budget kept.
                    messages = [*messages, {"role": "user", "content": RUNAWAY_REMINDER}]
                    attempts += state.attempts
                    state.attempts, state.runaway, state.rejected = 0, "", []
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, openai.APIError):
                raise CallError(self._api_error(cause), attempts=state.requests, runaways=len(runaways)) from None
            raise CallError(
                f"no valid answer after {exc.n_attempts} attempts; the last one failed because {_last_reason(exc)}",
                attempts=state.requests,
                runaways=len(runaways),
            ) from None
        except openai.APIError as exc:
            raise CallError(self._api_error(exc), attempts=state.requests, runaways=len(runaways)) from None
        finally:
            _STATE.reset(token)
        attempts += state.attempts
        usage = Usage(
            requests=state.requests,
            reasks=max(0, attempts - 1),
            runaways=len(runaways),
            seconds=time.perf_counter() - start,
        )
        if state.streamed_prompt_tokens or state.streamed_completion_tokens:
            usage.prompt_tokens = state.streamed_prompt_tokens
            usage.completion_tokens = state.streamed_completion_tokens
        else:
            spent = getattr(completion, "usage", None)
            if spent is not None:
                usage.prompt_tokens = int(getattr(spent, "prompt_tokens", 0) or 0)
                usage.completion_tokens = int(getattr(spent, "completion_tokens", 0) or 0)
        return [claims_of(r) for r in getattr(result, "records", [])], state.rejected, usage

    async def _create(
        self, messages: list[dict[str, Any]], piece: Chunk, context: ArticleContext, doc_id: str, budget: int
    ) -> tuple[Any, Any]:
        # The article reaches the prompt only through ``context`` (instructor renders the
        # template source once), so Jinja syntax inside an article is sent as written.
        return await self._client.create_with_completion(  # type: ignore[no-any-return]
            model=self.model,
            messages=messages,
            response_model=self.response_model,
            max_retries=self.settings.max_retries,
            context=_template_context(piece, context, doc_id),
            temperature=0,
            max_tokens=budget,
        )

    def _api_error(self, exc: openai.APIError) -> str:
        if isinstance(exc, _Stalled):
            return f"{exc.reason}; not sent again (raise --timeout / --silence-timeout for a slow model)"
        return _api_error(self.settings, exc)


RUNAWAY_REMINDER = (
    "上一次的回答过长或在重复同样的内容，已被截断。请重新回答：每个数字最多写一条记录，不要重复，"
    "列完原文中的数字后立即结束 JSON。"
)


def _estimate(request: httpx2.Request) -> int:
    """Tokens a request will cost, guessed from its body before it is sent (about 3 bytes each)."""
    return max(1, len(request.content) // 3)


def _claim_dict(claim: Claim) -> dict[str, Any]:
    return dataclasses.asdict(claim)


def _to_cache(result: tuple[list[Claim], list[tuple[Claim, str]], Usage]) -> dict[str, Any]:
    claims, rejected, usage = result
    return {
        "claims": [_claim_dict(c) for c in claims],
        "rejected": [[_claim_dict(c), reason] for c, reason in rejected],
        "usage": usage.as_dict(),
    }


def _from_cache(hit: dict[str, Any]) -> tuple[list[Claim], list[tuple[Claim, str]], Usage]:
    claims = [Claim(**c) for c in hit.get("claims", [])]
    rejected = [(Claim(**c), str(reason)) for c, reason in hit.get("rejected", [])]
    return claims, rejected, Usage(cache_hits=1)


def _api_error(settings: Settings, exc: openai.APIError) -> str:
    if isinstance(exc, openai.AuthenticationError):
        return "the endpoint refused the API key (HTTP 401): set LLM_EXTRACT_API_KEY or --api-key"
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint answered HTTP {exc.status_code} after retries: {_short(exc)}"
    if isinstance(exc, openai.APITimeoutError):
        return (
            f"no answer within {settings.timeout:g}s; not sent again, as the endpoint may still be working on it "
            "(raise --timeout / LLM_EXTRACT_TIMEOUT for a slow model)"
        )
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach {settings.base_url} (after retries): {_short(exc)}"
    return _short(exc)


def _last_reason(exc: InstructorRetryException) -> str:
    """One plain sentence for why the last attempt failed: the first validation problem (the field
    and what was wrong), never instructor's dump of every attempt."""
    attempts = getattr(exc, "failed_attempts", None) or []
    last: BaseException = attempts[-1].exception if attempts else (exc.__cause__ or exc)
    if isinstance(last, pydantic.ValidationError):
        problems = last.errors(include_url=False)
        if problems:
            first = problems[0]
            where = ".".join(str(part) for part in first["loc"]) or "the answer"
            message = str(first["msg"]).removeprefix("Value error, ")
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            return _short(f"{where}: {message}{more}")
    if isinstance(last, InstructorRetryException):  # nested: report its own message without attempts
        return _short(last.args[0] if last.args else type(last).__name__)
    return _short(last)


def _short(exc: BaseException | str, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- provider Batch APIs --------------------------------------------------------------------------


@dataclass
class BatchAnswer:
    """One batch answer read as a live answer would be: verified claims, rejected ones, and — when
    verification failed before the last round — the messages of the follow-up request."""

    claims: list[Claim]
    rejected: list[tuple[Claim, str]]
    reask: list[dict[str, Any]] | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Captured(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__("captured")
        self.body = body


class _CapturingClient(openai.DefaultHttpxClient):
    """An HTTP client that sends nothing: the first request's body comes back as :class:`_Captured`
    (raised before any transport, so no recorder or network sees it)."""

    def send(self, request: httpx2.Request, **kwargs: Any) -> httpx2.Response:
        raise _Captured(json.loads(request.content))


class BatchCalls:
    """What the batch flow needs from the SDKs, kept in the call layer.

    * :meth:`body`: the exact request body ``run --no-stream`` would send for a chunk (instructor
      renders it; the request is captured before it leaves), so a batch asks what a live run asks.
      instructor's own batch layer (``instructor.batch``) builds bodies from messages and a model;
      it cannot carry our validation context, the article passed only as template context, or our
      follow-up rounds, so it is not used for the bodies.
    * :meth:`read`: an answer parsed by instructor's own response handler for the mode, then
      verified by the same validator as a live answer; before the last round a failure gives the
      follow-up messages (the answer, then the verifier's message) instead of a rejection.
    * :meth:`submit` / :meth:`retrieve` / :meth:`content`: the ``/files`` and ``/batches`` endpoints.
    """

    def __init__(self, backend: LLMBackend) -> None:
        self.backend = backend
        self.settings = backend.settings
        self._client = openai.OpenAI(
            base_url=self.settings.base_url,
            api_key=self.settings.api_key.get() or "not-needed",
            timeout=max(self.settings.timeout, 60.0),
            max_retries=self.settings.transport_retries,
        )

    def close(self) -> None:
        self._client.close()

    def body(self, piece: Chunk, context: ArticleContext, doc_id: str) -> dict[str, Any]:
        """The request body for ``piece``. A follow-up round reuses it with the messages of
        :attr:`BatchAnswer.reask` (already rendered: never through the template again)."""

        capturing = openai.OpenAI(
            base_url=self.settings.base_url or "https://api.openai.com/v1",
            api_key="capture",
            max_retries=0,
            http_client=_CapturingClient(),
        )
        client = instructor.from_openai(capturing, mode=_MODES[self.settings.effective_mode])
        try:
            client.create(
                model=self.backend.model,
                messages=self.backend.template.messages(),  # type: ignore[arg-type]
                response_model=self.backend.response_model,
                max_retries=0,
                context=_template_context(piece, context, doc_id),
                temperature=0,
                max_tokens=answer_budget(piece.text, self.settings.max_tokens),
            )
        except Exception as exc:  # the transport raised with the body; instructor and openai wrap it
            found: BaseException | None = exc
            while found is not None and not isinstance(found, _Captured):
                found = found.__cause__ or found.__context__
            if isinstance(found, _Captured):
                return found.body
            raise
        finally:
            capturing.close()
        raise AssertionError("the request was not captured")  # create() cannot return without sending

    def read(
        self,
        completion: dict[str, Any],
        body: dict[str, Any],
        piece: Chunk,
        resolver: Resolver | None,
        *,
        last: bool,
    ) -> BatchAnswer:
        """Parse and verify one answer (``body``: the request it answers)."""
        usage = completion.get("usage") or {}
        spent_in, spent_out = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        state = _CallState(max_attempts=1 if last else 2, source=_identity_source(piece.text), resolver=resolver,
                           offset=piece.start, attempts=1)  # fmt: skip
        token = _STATE.set(state)
        try:
            response = openai.types.chat.ChatCompletion.model_validate(completion)
            _on_response(response)
            from instructor.v2.core.response import process_response

            result = process_response(
                response,
                response_model=self.backend.response_model,
                stream=False,
                validation_context={"chunk": piece.text},
                mode=_MODES[self.settings.effective_mode],
            )
        except (pydantic.ValidationError, ValueError, IncompleteOutputException) as exc:
            reason = _short(exc if not isinstance(exc, pydantic.ValidationError) else _validation_reason(exc))
            if last:
                return BatchAnswer([], [], error=f"no valid answer in the last round: {reason}",
                                   prompt_tokens=spent_in, completion_tokens=spent_out)  # fmt: skip
            answer = _answer_text(completion)
            follow_up = [
                *body["messages"],
                {"role": "assistant", "content": answer},
                {"role": "user", "content": reason},
            ]
            return BatchAnswer([], [], reask=follow_up, prompt_tokens=spent_in, completion_tokens=spent_out)
        finally:
            _STATE.reset(token)
        claims = [claims_of(r) for r in getattr(result, "records", [])]
        return BatchAnswer(claims, state.rejected, prompt_tokens=spent_in, completion_tokens=spent_out)

    def submit(self, jsonl: bytes, metadata: dict[str, str]) -> dict[str, Any]:
        """Upload the requests and create a batch; the batch object as JSON."""
        uploaded = self._client.files.create(file=("requests.jsonl", jsonl, "application/jsonl"), purpose="batch")
        batch = self._client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h", metadata=metadata
        )
        return batch.model_dump(mode="json")

    def retrieve(self, batch_id: str) -> dict[str, Any]:
        return self._client.batches.retrieve(batch_id).model_dump(mode="json")

    def content(self, file_id: str) -> str:
        return self._client.files.content(file_id).text


def _template_context(piece: Chunk, context: ArticleContext, doc_id: str) -> dict[str, Any]:
    """What the prompt template sees: the chunk only through here (never pasted into a message)."""
    return {"chunk": piece.text, "title": context.title, "year": context.year, "region": context.region,
            "doc_id": doc_id}  # fmt: skip


def _validation_reason(exc: pydantic.ValidationError) -> str:
    problems = exc.errors(include_url=False)
    if not problems:
        return str(exc)
    return "；".join(str(p["msg"]).removeprefix("Value error, ") for p in problems[:3])


def _answer_text(completion: dict[str, Any]) -> str:
    message = ((completion.get("choices") or [{}])[0]).get("message") or {}
    calls = message.get("tool_calls") or []
    if calls:
        return str(calls[0].get("function", {}).get("arguments") or "")
    return str(message.get("content") or "")
