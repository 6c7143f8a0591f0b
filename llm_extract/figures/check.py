"""Re-verification of records from anywhere (an LLM, another tool, a person).

:func:`check_rows` takes rows with ``doc_id``, ``indicator``, ``value``, ``unit``,
``growth_pct`` and optionally ``region``, ``period``, ``evidence``; it cleans
``SOURCES/<doc_id>.txt`` exactly as extraction does and yields one result per row, in order:
the row plus ``status`` (``verified`` or ``rejected``), ``checks`` (a verdict and reason per
number), ``reasons``, and for verified rows ``evidence`` and ``span`` with
``raw[span[0]:span[1]] == evidence`` and the normalised place and time (``region``,
``region_code``, ``province``, ``city``, ``county``, ``period``, ``period_start``,
``period_end``, ``period_kind``) and ``indicator_canonical`` exactly as extraction writes them: a region or period the
source does not support rejects the row like a wrong number. A row that cannot be checked (bad JSON, unknown
``doc_id``, a value that is not a number) is ``rejected`` with the reason; none is skipped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from llm_extract.attributes.indicators import canonical_indicator
from llm_extract.attributes.resolver import Resolver
from llm_extract.errors import InputError
from llm_extract.figures.verify import Source, verify
from llm_extract.text.cleaning import clean
from llm_extract.text.loading import read_file
from llm_extract.types import Claim

__all__ = ["check_rows", "claim_from_row"]

_SOURCE_SUFFIXES = (".txt", ".md", ".html", ".htm")


class RowError(ValueError):
    """A record row that cannot be read as a claim."""


def _number(row: dict[str, Any], key: str) -> float | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowError(f"{key} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowError(f"{key} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise RowError(f"{key} must be a finite number, not {value!r}")
    return number


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value)


def claim_from_row(row: dict[str, Any]) -> Claim:
    """Read the claim fields of a record row; raises ``ValueError`` naming the bad field."""
    indicator = row.get("indicator")
    if not isinstance(indicator, str) or not indicator.strip():
        raise RowError("indicator is missing")
    return Claim(
        indicator=indicator,
        value=_number(row, "value"),
        unit=_text(row, "unit"),
        growth_pct=_number(row, "growth_pct"),
        evidence=_text(row, "evidence"),
        region=_text(row, "region"),
        period=_text(row, "period"),
    )


class _Sources:
    """Cleaned sources by ``doc_id``, read once each."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Source | InputError] = {}
        self._resolvers: dict[str, Resolver] = {}

    def get(self, doc_id: str) -> Source | InputError:
        if doc_id not in self._cache:
            self._cache[doc_id] = self._load(doc_id)
        return self._cache[doc_id]

    def resolver(self, doc_id: str, source: Source) -> Resolver:
        if doc_id not in self._resolvers:
            self._resolvers[doc_id] = Resolver(source.cleaned.text)
        return self._resolvers[doc_id]

    def _load(self, doc_id: str) -> Source | InputError:
        if "/" in doc_id or "\\" in doc_id or doc_id.startswith("."):
            return InputError(doc_id, "doc_id must be a plain file name")
        for suffix in _SOURCE_SUFFIXES:
            path = self.directory / f"{doc_id}{suffix}"
            if path.exists():
                try:
                    (article,) = read_file(path)
                except InputError as exc:
                    return exc
                return Source.of(clean(article.text))
        return InputError(str(self.directory / f"{doc_id}.txt"), "no source file for this doc_id")


def check_rows(lines: Iterable[str], sources: str | Path) -> Iterator[dict[str, Any]]:
    """One result per JSONL line of ``lines`` (blank lines included as rejected), in order."""
    store = _Sources(Path(sources))
    for lineno, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"line": lineno, "status": "rejected", "reasons": [f"line {lineno}: not valid JSON ({exc.msg})"]}
            continue
        if not isinstance(row, dict):
            yield {"line": lineno, "status": "rejected", "reasons": [f"line {lineno}: expected a JSON object"]}
            continue
        yield _check_one(row, store, lineno)


def _check_one(row: dict[str, Any], store: _Sources, lineno: int) -> dict[str, Any]:
    out = dict(row)
    try:
        claim = claim_from_row(row)
    except RowError as exc:
        return {**out, "status": "rejected", "reasons": [f"line {lineno}: {exc}"]}
    doc_id = row.get("doc_id")
    if not isinstance(doc_id, (str, int)) or str(doc_id) == "":
        return {**out, "status": "rejected", "reasons": [f"line {lineno}: doc_id is missing"]}
    source = store.get(str(doc_id))
    if isinstance(source, InputError):
        return {**out, "status": "rejected", "reasons": [str(source)]}
    result = verify(claim, source)
    out["indicator_canonical"] = canonical_indicator(claim.indicator)
    out["status"] = "verified" if result.verified else "rejected"
    out["checks"] = [c.as_dict() for c in result.checks]
    out["reasons"] = result.reasons
    if result.verified:
        attributes, problems = store.resolver(str(doc_id), source).of_claim(claim, source.cleaned, result)
        out.update(attributes)
        if problems:
            out["status"] = "rejected"
            out["reasons"] = problems
    if result.verified and result.span is not None:
        out["evidence"] = result.evidence
        out["span"] = list(result.span)
    return out
