"""Provider Batch APIs (OpenAI-compatible ``/files`` + ``/batches``): half the price, answers within 24 h.

``llm-extract batch submit INPUT... -o OUT`` cleans and chunks the inputs as ``run`` does and
uploads one request per chunk — the exact body ``run --no-stream`` would send, ``custom_id`` =
``doc_id#chunk`` — as one batch; the state lives in ``OUT.batch.json``. ``batch status OUT``
shows the batches' progress; ``batch collect OUT`` downloads what finished, reads every answer
as a live one is read (instructor's parser for the mode, then the verifier), and:

* a chunk whose answer fails verification is asked again in a follow-up batch — its request with
  the answer and the verifier's message appended — while rounds remain (``--max-retries``), else
  its unverified records are rejected with the reasons, as in a live run;
* a failed request line (an error file line, or an HTTP error) is sent again in the next round,
  and fails its article when no round is left;
* an expired, cancelled or failed batch has its unanswered requests submitted again as a new batch
  of the same round;
* an article whose chunks are all answered is verified and written (records, rejected, errors and
  journal files, as ``run`` writes them), and its chunk answers go to the answer cache, so a later
  ``run`` over the same inputs makes no request for them.

Run ``collect`` again until it says nothing is pending. Tokens come from the batch results; the
cost uses the prices given (``--price-in/--price-out``, USD per million tokens at batch rates) or
the built-in table halved (batch rates are half the list price at OpenAI).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_extract.attributes.resolver import Resolver, resolver_for
from llm_extract.backends.llm import BatchCalls, LLMBackend, _claim_dict, _to_cache
from llm_extract.errors import ConfigError, InputError
from llm_extract.figures.numbers import find_mentions
from llm_extract.figures.verify import Source
from llm_extract.pipeline import Extraction, _checked, _not_economic, _prepare
from llm_extract.run.batch import PRICES, Summary, _record
from llm_extract.run.cache import ChunkCache, default_cache_dir
from llm_extract.run.output import RunWriter, journal_path
from llm_extract.settings import Settings
from llm_extract.text.chunking import Chunk
from llm_extract.text.context import ArticleContext
from llm_extract.text.loading import iter_articles
from llm_extract.types import Article, Claim, Proposal, Usage

__all__ = ["BatchRun", "collect", "state_path", "status", "submit"]

_FINISHED = {"completed"}
_DEAD = {"expired", "cancelled", "failed"}


def state_path(out: Path) -> Path:
    return out.with_name(out.name + ".batch.json")


@dataclass(frozen=True)
class _Prepared:
    """An article as collect needs it: its context, verification source, chunks by index, resolver."""

    context: ArticleContext
    source: Source
    pieces: dict[int, Chunk]
    resolver: Resolver


@dataclass
class BatchRun:
    """What ``OUT.batch.json`` holds."""

    inputs: list[str]
    settings: dict[str, Any]
    max_retries: int
    all_pages: bool
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # custom_id -> doc, chunk, round, body
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # custom_id -> claims, rejected, error
    batches: list[dict[str, Any]] = field(default_factory=list)  # id, round, custom_ids, state
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> text hash, chunks, note
    input_errors: list[dict[str, str]] = field(default_factory=list)
    input_errors_written: bool = False
    tokens: list[int] = field(default_factory=lambda: [0, 0])

    def save(self, path: Path) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.__dict__, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> BatchRun:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no batch state here: run `llm-extract batch submit ... -o OUT` first") from None
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{path}: not a batch state file ({exc})") from None

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [b for b in self.batches if b["state"] == "submitted"]


def _settings_of(run: BatchRun) -> Settings:
    return Settings.from_env(**run.settings)


def _public(settings: Settings) -> dict[str, Any]:
    fields = {k: getattr(settings, k) for k in settings.__dataclass_fields__ if k != "api_key"}
    return fields | {"stream": False}  # a batch line is answered whole


@contextlib.contextmanager
def _calls(settings: Settings) -> Iterator[tuple[LLMBackend, BatchCalls]]:
    """A backend and its batch calls for the length of one command, closed after it."""
    backend = LLMBackend(settings)
    calls = BatchCalls(backend)
    try:
        yield backend, calls
    finally:
        calls.close()
        backend.close()


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _articles(inputs: list[str]) -> tuple[list[Article], list[InputError]]:
    docs: list[Article] = []
    errors: list[InputError] = []
    for item in iter_articles(inputs):
        (errors if isinstance(item, InputError) else docs).append(item)  # type: ignore[arg-type]
    return docs, errors


def _send(calls: BatchCalls, run: BatchRun, custom_ids: list[str], round_: int) -> dict[str, Any]:
    lines = "".join(
        json.dumps({"custom_id": cid, "method": "POST", "url": "/v1/chat/completions",
                    "body": run.requests[cid]["body"]}, ensure_ascii=False) + "\n"
        for cid in custom_ids
    )  # fmt: skip
    batch = calls.submit(lines.encode("utf-8"), {"llm_extract_round": str(round_)})
    entry = {"id": batch["id"], "round": round_, "custom_ids": custom_ids, "state": "submitted"}
    run.batches.append(entry)
    return entry


def submit(
    inputs: list[str], out: Path, settings: Settings, *, max_retries: int | None = None, all_pages: bool = False
) -> BatchRun:
    """Clean, chunk and upload every input as one batch; the state goes to ``OUT.batch.json``."""
    path = state_path(out)
    if path.exists():
        raise ConfigError(f"{path}: a batch run is already here: collect it, or remove the file to start over")
    settings = settings.with_(stream=False)
    run = BatchRun(inputs=list(inputs), settings=_public(settings),
                   max_retries=settings.max_retries if max_retries is None else max_retries,
                   all_pages=all_pages)  # fmt: skip
    with _calls(settings) as (backend, calls):
        docs, errors = _articles(run.inputs)
        run.input_errors = [{"source": e.source, "error": str(e)} for e in errors]
        for doc in docs:
            cleaned, context, _ = _prepare(doc)
            entry: dict[str, Any] = {"hash": _hash(doc.text), "chunks": []}
            if not all_pages and (skipped := _not_economic(doc, cleaned, context)) is not None:
                entry["note"] = skipped.note
            else:
                for piece in backend.chunks(cleaned):
                    if not find_mentions(piece.text):
                        continue  # no figure in the chunk: nothing could verify, nothing is asked (as in run)
                    cid = f"{doc.doc_id}#{piece.index}"
                    run.requests[cid] = {"doc_id": doc.doc_id, "chunk": piece.index, "round": 0,
                                         "body": calls.body(piece, context, doc.doc_id)}  # fmt: skip
                    entry["chunks"].append(cid)
            run.articles[doc.doc_id] = entry
        if run.requests:
            _send(calls, run, list(run.requests), 0)
        run.save(path)
    return run


def status(out: Path) -> list[dict[str, Any]]:
    """Each batch of the run as the endpoint reports it now."""
    run = BatchRun.load(state_path(out))
    with _calls(_settings_of(run)) as (_, calls):
        rows = []
        for entry in run.batches:
            if entry["state"] == "submitted":
                batch = calls.retrieve(entry["id"])
                rows.append({"id": entry["id"], "round": entry["round"], "status": batch["status"],
                             "request_counts": batch.get("request_counts")})  # fmt: skip
            else:
                rows.append({"id": entry["id"], "round": entry["round"], "status": entry["state"]})
        return rows


def collect(out: Path, *, prices: tuple[float, float] | None = None) -> tuple[Summary, BatchRun]:
    """Download what finished, verify it, follow up what failed, write finished articles (see the module)."""
    path = state_path(out)
    run = BatchRun.load(path)
    settings = _settings_of(run)
    model = settings.model
    default = PRICES.get(model)
    summary = Summary(backend="openai-batch", model=model,
                      prices=prices or ((default[0] / 2, default[1] / 2) if default else None))  # fmt: skip
    docs, _ = _articles(run.inputs)
    by_id = {d.doc_id: d for d in docs}
    prepared: dict[str, _Prepared] = {}

    with _calls(settings) as (backend, calls):

        def prepare(doc_id: str) -> _Prepared:
            """An article cleaned, read and chunked once per collect, with its resolver."""
            if doc_id not in prepared:
                cleaned, context, source = _prepare(by_id[doc_id])
                pieces = {p.index: p for p in backend.chunks(cleaned)}
                prepared[doc_id] = _Prepared(context, source, pieces, resolver_for(cleaned.text))
            return prepared[doc_id]

        follow_up: list[str] = []
        resend: dict[int, list[str]] = {}
        for entry in run.pending:
            batch = calls.retrieve(entry["id"])
            state = batch["status"]
            if state not in _FINISHED | _DEAD:
                continue
            answered = _read_outputs(calls, run, batch, prepare, follow_up)
            if state in _DEAD:
                missing = [c for c in entry["custom_ids"] if c not in answered and c not in run.results]
                resend.setdefault(entry["round"], []).extend(missing)
            entry["state"] = "collected" if state in _FINISHED else state
        for round_, cids in resend.items():
            if cids:
                _send(calls, run, cids, round_)
        if follow_up:
            _send(calls, run, follow_up, max(run.requests[c]["round"] for c in follow_up))
        run.save(path)
        _write_finished(run, out, by_id, prepare, backend, summary)
        run.save(path)
    summary.usage.prompt_tokens, summary.usage.completion_tokens = run.tokens
    return summary, run


def _read_outputs(
    calls: BatchCalls,
    run: BatchRun,
    batch: dict[str, Any],
    prepare: Callable[[str], _Prepared],
    follow_up: list[str],
) -> set[str]:
    """Read a finished batch's output and error files; returns the custom_ids that got a line."""
    lines: list[dict[str, Any]] = []
    for key in ("output_file_id", "error_file_id"):
        if batch.get(key):
            lines += [json.loads(x) for x in calls.content(batch[key]).splitlines() if x.strip()]
    seen: set[str] = set()
    for line in lines:
        cid = str(line.get("custom_id"))
        request = run.requests.get(cid)
        if request is None or cid in run.results:
            continue
        seen.add(cid)
        last = request["round"] >= run.max_retries
        response = line.get("response") or {}
        if line.get("error") or response.get("status_code") != 200:
            reason = (line.get("error") or {}).get("message") or f"HTTP {response.get('status_code')}"
            if last:
                run.results[cid] = {"claims": [], "rejected": [], "error": f"the batch line failed: {reason}"}
            else:
                request["round"] += 1
                follow_up.append(cid)
            continue
        article = prepare(request["doc_id"])
        answer = calls.read(response["body"], request["body"], article.pieces[request["chunk"]], article.resolver,
                            last=last)  # fmt: skip
        run.tokens[0] += answer.prompt_tokens
        run.tokens[1] += answer.completion_tokens
        if answer.reask is not None:
            request["body"] = request["body"] | {"messages": answer.reask}
            request["round"] += 1
            follow_up.append(cid)
            continue
        rejected = [[_claim_dict(c), r] for c, r in answer.rejected]
        run.results[cid] = {"claims": [_claim_dict(c) for c in answer.claims], "rejected": rejected,
                            "error": answer.error}  # fmt: skip
    return seen


def _write_finished(
    run: BatchRun,
    out: Path,
    by_id: dict[str, Article],
    prepare: Callable[[str], _Prepared],
    backend: LLMBackend,
    summary: Summary,
) -> None:
    """Write every article whose chunks all have a final answer and that is not yet journaled."""
    done: set[str] = set()
    journal = journal_path(out)
    if journal.exists():
        done = {json.loads(x)["doc_id"] for x in journal.read_text(encoding="utf-8").splitlines() if x.strip()}
    cache = ChunkCache(default_cache_dir())
    with RunWriter(out, append=journal.exists()) as writer:
        if not run.input_errors_written:
            for error in run.input_errors:
                _record(summary, writer, InputError(error["source"], error["error"].split(": ", 1)[-1]), None)
            run.input_errors_written = True
        for doc_id, entry in run.articles.items():
            if doc_id in done or not all(c in run.results for c in entry["chunks"]):
                continue
            doc = by_id.get(doc_id)
            if doc is None or _hash(doc.text) != entry["hash"]:
                result = Extraction(
                    doc_id=doc_id, errors=["the input changed or vanished since the batch was submitted"]
                )
                _record(summary, writer, doc or Article(doc_id, "", "<missing>"), result)
                continue
            if entry.get("note"):
                _record(summary, writer, doc, Extraction(doc_id=doc_id, note=entry["note"]))
                continue
            article = prepare(doc_id)
            claims: list[Claim] = []
            rejected: list[tuple[Claim, str]] = []
            errors: list[str] = []
            for cid in entry["chunks"]:
                got = run.results[cid]
                chunk_claims = [Claim(**c) for c in got["claims"]]
                chunk_rejected = [(Claim(**c), str(r)) for c, r in got["rejected"]]
                claims += chunk_claims
                rejected += chunk_rejected
                if got.get("error"):
                    errors.append(f"chunk {cid.rsplit('#', 1)[-1]}: {got['error']}")
                else:  # a later `run` over the same input finds this chunk's answer
                    piece = article.pieces[run.requests[cid]["chunk"]]
                    cache.put(backend._cache_key(piece, article.context),
                              _to_cache((chunk_claims, chunk_rejected, Usage())))  # fmt: skip
            proposal = Proposal(claims=tuple(claims), meta=backend.meta | {"backend": "openai-batch"},
                                usage=Usage(requests=len(entry["chunks"])), errors=tuple(errors),
                                rejected=tuple(rejected))  # fmt: skip
            _record(summary, writer, doc, _checked(doc, article.context, article.source, proposal))
