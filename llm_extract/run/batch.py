"""Batch runs: many inputs through one backend into one set of output files, with a summary.

Every input article ends in exactly one state: *done* (its records in OUT, possibly none, its
rejected records in the rejected file) or *failed* (one line in the errors file with the
reason). Bad inputs (unreadable, empty, binary, malformed JSONL lines) are failures too; the
batch goes on.

With an LLM backend the articles run concurrently on the backend's event loop (``concurrency``
requests in flight); each article's lines are written when it finishes, then the article is
journaled as finished (``OUT.journal.jsonl``). A run started again with the same command skips
journaled articles and drops any line of an article that was not journaled, so a killed run
resumes without repeating or duplicating work (see :func:`llm_extract.run.output.prepare_resume`).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_extract.errors import ConfigError, InputError
from llm_extract.pipeline import Backend, Extraction, arun_backend, run_backend
from llm_extract.run.output import RunWriter
from llm_extract.text.chunking import chunk, estimate_tokens
from llm_extract.text.cleaning import clean
from llm_extract.text.content import not_economic
from llm_extract.text.loading import iter_articles
from llm_extract.types import Article, Usage

__all__ = ["PRICES", "Summary", "dry_run", "parse_shard", "run_batch"]

# USD per million tokens (input, output): a small built-in table; --price-in/--price-out override it.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "deepseek-chat": (0.27, 1.10),
}


@dataclass
class Summary:
    """Counts of one run; :meth:`as_dict` is what ``--summary`` writes."""

    articles: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    not_economic: int = 0
    records: int = 0
    rejected: int = 0
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    backend: str = ""
    model: str | None = None
    prices: tuple[float, float] | None = None

    @property
    def cost(self) -> float | None:
        if self.prices is None:
            return None
        price_in, price_out = self.prices
        return round((self.usage.prompt_tokens * price_in + self.usage.completion_tokens * price_out) / 1e6, 6)

    def as_dict(self) -> dict[str, Any]:
        usage = self.usage.as_dict()
        return {
            "articles": self.articles,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "skipped_already_done": self.skipped,
            "not_economic": self.not_economic,
            "records": self.records,
            "rejected": self.rejected,
            "requests": usage["requests"],
            "cache_hits": usage["cache_hits"],
            "reasks": usage["reasks"],
            "runaways": usage["runaways"],
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": usage["completion_tokens"],
            "seconds": round(self.seconds, 3),
            "backend": self.backend,
            "model": self.model,
            "cost": self.cost,
        }

    def line(self) -> str:
        text = (
            f"{self.articles} articles: {self.succeeded} done, {self.failed} failed"
            + (f", {self.skipped} already done" if self.skipped else "")
            + (f" ({self.not_economic} not economic reporting: no records)" if self.not_economic else "")
            + f"; {self.records} records, {self.rejected} rejected; {self.seconds:.2f}s"
        )
        if self.usage.requests or self.usage.cache_hits:
            text += (
                f"; {self.usage.requests} requests, {self.usage.cache_hits} cache hits, "
                f"{self.usage.prompt_tokens + self.usage.completion_tokens} tokens"
            )
            if self.usage.runaways:
                text += f", {self.usage.runaways} runaway answers cut"
        if self.cost is not None:
            text += f"; cost ${self.cost:.4f}"
        return text


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/8"`` -> (2, 8): shard 2 of 8, counted from 0."""
    if not text:
        return None
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise ConfigError(f"--shard {text!r}: write it as i/n, e.g. 0/4") from None
    if count < 1 or not 0 <= index < count:
        raise ConfigError(f"--shard {text!r}: need 0 <= i < n")
    return index, count


def _in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    digest = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:12], 16)
    return digest % shard[1] == shard[0]


def _failure_row(doc_id: str | None, source: str, error: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "source": source, "error": error}


def _items(
    inputs: Iterable[str | Path], shard: tuple[int, int] | None, done: set[str], summary: Summary
) -> Iterator[Article | InputError]:
    for item in iter_articles([str(i) for i in inputs]):
        key = item.doc_id if isinstance(item, Article) else item.source
        if not _in_shard(key, shard):
            continue
        if isinstance(item, Article) and item.doc_id in done:
            summary.skipped += 1
            continue
        yield item


def _record(summary: Summary, writer: RunWriter, item: Article | InputError, result: Extraction | None) -> None:
    summary.articles += 1
    if isinstance(item, InputError):
        summary.failed += 1
        writer.write_error(_failure_row(None, item.source, str(item)))
        return
    assert result is not None
    summary.usage.add(result.usage)
    if result.ok:
        summary.succeeded += 1
        summary.records += len(result.records)
        summary.rejected += len(result.rejected)
        writer.write_article(result.records, result.rejected)
        if result.note is not None:
            summary.not_economic += 1
        writer.journal(item.doc_id, "done", result.note, result.chunks)
    else:
        summary.failed += 1
        row = _failure_row(item.doc_id, item.source, "; ".join(result.errors))
        if result.chunks:
            row["chunks"] = result.chunks
        writer.write_error(row)


def run_batch(
    inputs: Iterable[str | Path],
    writer: RunWriter,
    backend: Backend,
    *,
    concurrency: int = 1,
    shard: tuple[int, int] | None = None,
    done: set[str] | None = None,
    prices: tuple[float, float] | None = None,
    on_article: Callable[[Summary, Extraction | InputError], None] | None = None,
    all_pages: bool = False,
) -> Summary:
    """Run ``backend`` over ``inputs``; write each article's outcome as soon as it is known."""
    model = getattr(backend, "model", None)
    summary = Summary(backend=backend.name, model=model, prices=prices or PRICES.get(str(model)))
    start = time.perf_counter()
    items = _items(inputs, shard, done or set(), summary)

    def finish(item: Article | InputError, result: Extraction | None) -> None:
        _record(summary, writer, item, result)
        summary.seconds = time.perf_counter() - start
        if on_article is not None:
            on_article(summary, result if result is not None else item)  # type: ignore[arg-type]

    if hasattr(backend, "apropose_here") and hasattr(backend, "run"):
        backend.run(_run_async(items, backend, finish, concurrency, all_pages))
    else:
        for item in items:
            finish(item, None if isinstance(item, InputError) else run_backend(item, backend, all_pages=all_pages))
    summary.seconds = time.perf_counter() - start
    return summary


async def _run_async(
    items: Iterator[Article | InputError],
    backend: Backend,
    finish: Callable[[Article | InputError, Extraction | None], None],
    concurrency: int,
    all_pages: bool = False,
) -> None:
    """Articles concurrently on the backend's loop; at most ``2 × concurrency`` held in memory."""
    slots = asyncio.Semaphore(max(2, 2 * concurrency))
    tasks: set[asyncio.Task[None]] = set()
    failures: list[BaseException] = []

    async def one(item: Article) -> None:
        try:
            finish(item, await arun_backend(item, backend, all_pages=all_pages))
        except Exception as exc:  # e.g. an output file on a full disk: the run stops
            failures.append(exc)
        finally:
            slots.release()

    try:
        for item in items:
            if failures:
                break
            if isinstance(item, InputError):
                finish(item, None)
                continue
            await slots.acquire()
            task = asyncio.create_task(one(item))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
    finally:
        for task in tasks:  # stop the other articles; what is journaled stays done
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
    if failures:
        raise failures[0]


def dry_run(
    inputs: Iterable[str | Path],
    *,
    chunk_tokens: int,
    prompt_tokens: int,
    max_retries: int,
    shard: tuple[int, int] | None = None,
    prices: tuple[float, float] | None = None,
    all_pages: bool = False,
) -> dict[str, Any]:
    """Clean and chunk everything and count: no request is made. Token counts are estimates.
    Pages that are not economic reporting are counted apart: they cost no request."""
    summary = Summary()
    articles = failed = chunks = tokens = raw_tokens = skipped = 0
    for item in _items(inputs, shard, set(), summary):
        if isinstance(item, InputError):
            failed += 1
            continue
        articles += 1
        raw_tokens += estimate_tokens(item.text)
        cleaned = clean(item.text)
        if not all_pages and not_economic(cleaned.text) is not None:
            skipped += 1
            continue
        pieces = chunk(cleaned.text, max_tokens=chunk_tokens)
        chunks += len(pieces)
        tokens += sum(estimate_tokens(p.text) + prompt_tokens for p in pieces)
    out: dict[str, Any] = {
        "articles": articles,
        "failed_inputs": failed,
        "not_economic": skipped,
        "chunks": chunks,
        "requests_min": chunks,
        "requests_max": chunks * (1 + max_retries),
        "raw_tokens": raw_tokens,
        "prompt_tokens_estimate": tokens,
    }
    if prices is not None:
        out["cost_min_input_only"] = round(tokens * prices[0] / 1e6, 6)
    return out
