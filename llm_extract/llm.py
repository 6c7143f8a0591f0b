"""The call layer: the only module that imports ``openai`` and ``instructor``.

One request per chunk goes to an OpenAI-compatible endpoint through instructor. The answer's
records are verified *inside* the response model's validator, with the chunk in the
validation context: a record whose numbers are not written in its evidence makes validation
fail, and instructor re-asks with the validator's message, which says in Chinese which figure
is not in the text and which figures nearby are. ``max_retries`` bounds the re-asks; on the
last attempt the validator stops raising and hands the still-unverified records over as
*rejected* (with reasons), so nothing the model said is lost.

Transport failures (429 honouring ``Retry-After``, 5xx, timeouts, connection errors) are
retried by the openai client with backoff, at the HTTP layer only; instructor's integer
``max_retries`` retries validation errors only, so the two never multiply (NOTES §4).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, Field, ValidationInfo, create_model, model_validator

from llm_extract.chunking import Chunk, chunk
from llm_extract.context import ArticleContext
from llm_extract.errors import CallError, ConfigError
from llm_extract.prompting import PromptTemplate, load_template
from llm_extract.records import EconomicIndicator, claims_of, schema_hash
from llm_extract.settings import Settings
from llm_extract.types import Claim, Cleaned, Proposal, Usage
from llm_extract.verify import Source, verify

__all__ = ["LLMBackend", "response_model_for"]

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
_THINK = re.compile(r"<think>.*?</think>\s*", re.DOTALL)
# instructor logs every failed attempt at ERROR; the caller gets the outcome as data instead.
logging.getLogger("instructor").addHandler(logging.NullHandler())


@dataclass
class _CallState:
    """Per-call bookkeeping, reached from hooks and validators through a context variable."""

    max_attempts: int
    attempts: int = 0
    requests: int = 0
    rejected: list[tuple[Claim, str]] = field(default_factory=list)

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


_STATE: contextvars.ContextVar[_CallState | None] = contextvars.ContextVar("llm_extract_call", default=None)


def _identity_source(text: str) -> Source:
    from array import array

    return Source.of(Cleaned(raw=text, text=text, index=array("i", range(len(text)))))


def _reask_message(failures: list[tuple[int, Claim, list[str]]]) -> str:
    lines = [
        "以下记录中的数字在原文（所引证据）中找不到依据。请逐条核对原文：只保留原文写明的数字，改正或删除这些记录，其余记录保持不变。"
    ]
    for n, claim, reasons in failures:
        lines.append(f"第{n}条（{claim.indicator}）：" + "；".join(reasons))
    return "\n".join(lines)


def response_model_for(schema: type[BaseModel]) -> type[BaseModel]:
    """The chunk-level response model: ``{"records": [schema, ...]}`` whose validator verifies."""

    class _Verifying(BaseModel):
        @model_validator(mode="after")
        def _verify_records(self, info: ValidationInfo) -> Any:
            context = info.context or {}
            source = context.get("_source")
            if not isinstance(source, Source):
                return self
            state = _STATE.get()
            kept, failures = [], []
            for n, record in enumerate(getattr(self, "records", []), start=1):
                claim = claims_of(record)
                result = verify(claim, source)
                if result.verified:
                    kept.append(record)
                else:
                    failures.append((n, claim, result.reasons))
            if failures and state is not None and not state.last_attempt:
                raise ValueError(_reask_message(failures))
            if state is not None:
                state.rejected.extend((claim, "；".join(reasons)) for _, claim, reasons in failures)
            self.records = kept
            return self

    return create_model(
        "Extracted",
        __base__=_Verifying,
        records=(
            list[schema],  # type: ignore[valid-type]
            Field(default_factory=list, description="本段文字中的全部经济数字，每个数字一条；没有则为空列表。"),
        ),
    )


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


def _on_request(request: httpx2.Request) -> None:
    state = _STATE.get()
    if state is not None:
        state.requests += 1


class LLMBackend:
    """Chunks an article, calls the endpoint per chunk, returns the claims of verified answers."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        schema: type[BaseModel] = EconomicIndicator,
        template: str | PromptTemplate = "extract",
        http_client: httpx2.Client | None = None,
    ) -> None:
        if not settings.configured:
            raise ConfigError("no endpoint configured: set LLM_EXTRACT_BASE_URL or use --backend rules")
        self.settings = settings
        self.model = settings.model
        self.schema = schema
        self.template = template if isinstance(template, PromptTemplate) else load_template(template)
        self.response_model = response_model_for(schema)
        client = http_client or openai.DefaultHttpxClient(event_hooks={"request": [_on_request]})
        if http_client is not None and _on_request not in client.event_hooks.get("request", []):
            client.event_hooks["request"] = [*client.event_hooks.get("request", []), _on_request]
        self._openai = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key.get() or "not-needed",
            timeout=settings.timeout,
            max_retries=settings.transport_retries,
            http_client=client,
        )
        self._client = instructor.from_openai(self._openai, mode=_MODES[settings.effective_mode])
        self._client.on("completion:kwargs", _on_kwargs)
        self._client.on("completion:response", _on_response)
        self.meta: dict[str, object] = {
            "backend": self.name,
            "model": self.model,
            "mode": settings.effective_mode,
            "prompt_hash": self.template.hash,
            "schema_hash": schema_hash(schema),
        }

    def __repr__(self) -> str:
        return (
            f"LLMBackend(base_url={self.settings.base_url!r}, model={self.model!r}, api_key={self.settings.api_key!r})"
        )

    def chunks(self, cleaned: Cleaned) -> list[Chunk]:
        return chunk(cleaned.text, max_tokens=self.settings.chunk_tokens)

    def propose(self, doc_id: str, cleaned: Cleaned, context: ArticleContext) -> Proposal:
        claims: list[Claim] = []
        rejected: list[tuple[Claim, str]] = []
        errors: list[str] = []
        usage = Usage()
        per_chunk: list[dict[str, object]] = []
        for piece in self.chunks(cleaned):
            stats: dict[str, object] = {"chunk": piece.index, "span": [piece.start, piece.end], "model": self.model}
            try:
                got, lost, spent = self.call(piece, context, doc_id=doc_id)
            except CallError as exc:
                errors.append(f"chunk {piece.index} [{piece.start}:{piece.end}]: {exc}")
                usage.requests += exc.attempts
                per_chunk.append(stats | {"requests": exc.attempts, "error": str(exc)})
                continue
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

    def call(
        self, piece: Chunk, context: ArticleContext, *, doc_id: str = ""
    ) -> tuple[list[Claim], list[tuple[Claim, str]], Usage]:
        """One chunk: (claims of verified records, rejected claims with reasons, usage)."""
        state = _CallState(max_attempts=self.settings.max_retries + 1)
        token = _STATE.set(state)
        start = time.perf_counter()
        try:
            result, completion = self._client.create_with_completion(
                model=self.model,
                messages=self.template.messages(),  # type: ignore[arg-type]
                response_model=self.response_model,
                max_retries=self.settings.max_retries,
                context={
                    "chunk": piece.text,
                    "title": context.title,
                    "year": context.year,
                    "region": context.region,
                    "doc_id": doc_id,
                    "_source": _identity_source(piece.text),
                },
                temperature=0,
                max_tokens=self.settings.max_tokens,
            )
        except IncompleteOutputException:
            raise CallError(
                f"the answer was cut at max_tokens={self.settings.max_tokens}: raise LLM_EXTRACT_MAX_TOKENS "
                "or lower LLM_EXTRACT_CHUNK_TOKENS",
                attempts=state.requests,
            ) from None
        except InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, openai.APIError):
                raise CallError(_api_error(self.settings, cause), attempts=state.requests) from None
            raise CallError(
                f"no valid answer after {exc.n_attempts} attempts: {_short(exc)}", attempts=state.requests
            ) from None
        except openai.APIError as exc:
            raise CallError(_api_error(self.settings, exc), attempts=state.requests) from None
        finally:
            _STATE.reset(token)
        usage = Usage(requests=state.requests, reasks=max(0, state.attempts - 1), seconds=time.perf_counter() - start)
        spent = getattr(completion, "usage", None)
        if spent is not None:
            usage.prompt_tokens = int(getattr(spent, "prompt_tokens", 0) or 0)
            usage.completion_tokens = int(getattr(spent, "completion_tokens", 0) or 0)
        return [claims_of(r) for r in getattr(result, "records", [])], state.rejected, usage


def _api_error(settings: Settings, exc: openai.APIError) -> str:
    if isinstance(exc, openai.AuthenticationError):
        return "the endpoint refused the API key (HTTP 401): set LLM_EXTRACT_API_KEY or --api-key"
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint answered HTTP {exc.status_code} after retries: {_short(exc)}"
    if isinstance(exc, openai.APITimeoutError):
        return f"no answer within {settings.timeout:g}s (after retries)"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach {settings.base_url} (after retries): {_short(exc)}"
    return _short(exc)


def _short(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
