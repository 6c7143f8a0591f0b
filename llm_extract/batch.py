"""Batch runs: many inputs through one backend into one set of output files, with a summary.

Every input article ends in exactly one state: *done* (its records in OUT, possibly none, its
rejected records in the rejected file) or *failed* (one line in the errors file with the
reason). Bad inputs (unreadable, empty, binary, malformed JSONL lines) are failures too; the
batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_extract.errors import InputError
from llm_extract.loading import iter_articles
from llm_extract.output import RunWriter
from llm_extract.pipeline import Backend, Extraction, run_backend
from llm_extract.types import Usage

__all__ = ["Summary", "run_batch"]


@dataclass
class Summary:
    """Counts of one run; :meth:`as_dict` is what ``--summary`` writes."""

    articles: int = 0
    succeeded: int = 0
    failed: int = 0
    records: int = 0
    rejected: int = 0
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    backend: str = ""
    model: str | None = None
    cost: float | None = None

    def as_dict(self) -> dict[str, Any]:
        usage = self.usage.as_dict()
        return {
            "articles": self.articles,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "records": self.records,
            "rejected": self.rejected,
            "requests": usage["requests"],
            "cache_hits": usage["cache_hits"],
            "reasks": usage["reasks"],
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": usage["completion_tokens"],
            "seconds": round(self.seconds, 3),
            "backend": self.backend,
            "model": self.model,
            "cost": self.cost,
        }

    def line(self) -> str:
        text = (
            f"{self.articles} articles: {self.succeeded} done, {self.failed} failed; "
            f"{self.records} records, {self.rejected} rejected; {self.seconds:.2f}s"
        )
        if self.usage.requests or self.usage.cache_hits:
            text += (
                f"; {self.usage.requests} requests, {self.usage.cache_hits} cache hits, "
                f"{self.usage.prompt_tokens + self.usage.completion_tokens} tokens"
            )
        return text


def _failure_row(doc_id: str | None, source: str, error: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "source": source, "error": error}


def run_batch(
    inputs: Iterable[str | Path],
    writer: RunWriter,
    backend: Backend,
    *,
    on_article: Callable[[Summary, Extraction | InputError], None] | None = None,
) -> Summary:
    """Run ``backend`` over ``inputs``; write each article's outcome as soon as it is known."""
    summary = Summary(backend=backend.name, model=getattr(backend, "model", None))
    start = time.perf_counter()
    for item in iter_articles([str(i) for i in inputs]):
        summary.articles += 1
        if isinstance(item, InputError):
            summary.failed += 1
            writer.write_error(_failure_row(None, item.source, str(item)))
            outcome: Extraction | InputError = item
        else:
            result = run_backend(item, backend)
            summary.usage.add(result.usage)
            if result.ok:
                summary.succeeded += 1
                summary.records += len(result.records)
                summary.rejected += len(result.rejected)
                writer.write_article(result.records, result.rejected)
            else:
                summary.failed += 1
                writer.write_error(_failure_row(item.doc_id, item.source, "; ".join(result.errors)))
            outcome = result
        summary.seconds = time.perf_counter() - start
        if on_article is not None:
            on_article(summary, outcome)
    summary.seconds = time.perf_counter() - start
    return summary
