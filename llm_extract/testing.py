"""Testing seam: a backend that proposes queued records, for pipeline tests without HTTP.

    backend = FakeBackend([{"indicator": "固定资产投资", "value": 68.6, "unit": "亿元",
                            "growth_pct": 11.0, "evidence": "完成固定资产投资68.6亿元,同比增长11.0%"}])
    result = extract(text, backend=backend)

Each ``propose`` call takes the next queued batch (a list of record dicts) — or, with
``per_doc``, the batch queued for that ``doc_id``. Proposed records go through the same verifier
as any backend's, so tests see real verdicts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from llm_extract.errors import CallError
from llm_extract.text.context import ArticleContext
from llm_extract.types import Claim, Cleaned, Proposal, Usage

__all__ = ["FakeBackend"]


def _claim(row: Mapping[str, Any]) -> Claim:
    return Claim(
        indicator=str(row.get("indicator", "")),
        value=row.get("value"),
        unit=row.get("unit"),
        growth_pct=row.get("growth_pct"),
        evidence=row.get("evidence"),
        region=row.get("region"),
        period=row.get("period"),
        qualifier=row.get("qualifier"),
    )


class FakeBackend:
    """Proposes queued records; a queued ``CallError`` makes that article fail."""

    name = "fake"
    model = "fake"

    def __init__(
        self,
        batches: Iterable[list[Mapping[str, Any]] | CallError] = (),
        *,
        per_doc: Mapping[str, list[Mapping[str, Any]] | CallError] | None = None,
    ) -> None:
        self._queue: deque[list[Mapping[str, Any]] | CallError] = deque(batches)
        self._per_doc = dict(per_doc or {})
        self.calls: list[str] = []

    def propose(self, doc_id: str, cleaned: Cleaned, context: ArticleContext) -> Proposal:
        self.calls.append(doc_id)
        batch = self._per_doc.get(doc_id) if doc_id in self._per_doc else (self._queue.popleft() if self._queue else [])
        meta: dict[str, object] = {"backend": self.name, "model": self.model, "prompt_hash": None}
        if isinstance(batch, CallError):
            return Proposal(claims=(), meta=meta, usage=Usage(requests=1), errors=(str(batch),))
        return Proposal(claims=tuple(_claim(r) for r in batch or []), meta=meta, usage=Usage(requests=1))
