"""Writing: records, rejected records and failed articles, one article at a time.

``-o OUT`` picks the format by extension: ``.jsonl`` (UTF-8, ``ensure_ascii=False``) or
``.csv`` (UTF-8 with BOM, for spreadsheets; nested fields as JSON). Rejected records go to
``OUT.rejected.jsonl`` and failed articles to ``OUT.errors.jsonl`` unless given paths. Each
article's lines are written in one call and flushed, so a killed run leaves whole lines only.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from llm_extract.errors import ConfigError

__all__ = ["CSV_FIELDS", "RunWriter", "default_side_paths", "dumps"]

CSV_FIELDS = [
    "doc_id", "indicator", "region", "period", "value", "unit", "growth_pct", "qualifier", "evidence", "span",
    "status", "checks", "backend", "model", "prompt_hash",
]  # fmt: skip


def dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def default_side_paths(out: Path) -> tuple[Path, Path]:
    """``OUT.rejected.jsonl`` and ``OUT.errors.jsonl`` next to ``OUT``."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}.rejected.jsonl"), out.with_name(f"{stem}.errors.jsonl")


def _open(path: Path, mode: str) -> IO[str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(mode, encoding="utf-8", newline="")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write here ({exc.strerror or exc})") from None


class RunWriter:
    """Appends one article's outcome at a time to the three output files."""

    def __init__(
        self, out: Path, *, rejected: Path | None = None, errors: Path | None = None, append: bool = False
    ) -> None:
        suffix = out.suffix.lower()
        if suffix not in {".jsonl", ".csv"}:
            raise ConfigError(f"{out}: unknown output format {suffix or '(none)'!r}; use .jsonl or .csv")
        default_rejected, default_errors = default_side_paths(out)
        self.paths = {"out": out, "rejected": rejected or default_rejected, "errors": errors or default_errors}
        self._csv = suffix == ".csv"
        mode = "a" if append else "w"
        new_csv = self._csv and (not append or not out.exists() or out.stat().st_size == 0)
        self._out = _open(out, mode)
        self._rejected = _open(self.paths["rejected"], mode)
        self._errors = _open(self.paths["errors"], mode)
        if new_csv:
            self._out.write("\ufeff" + self._csv_line(dict(zip(CSV_FIELDS, CSV_FIELDS, strict=True))))
            self._out.flush()

    def _csv_line(self, row: dict[str, Any]) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(
            [
                (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else "" if v is None else v)
                for v in (row.get(k) for k in CSV_FIELDS)
            ]
        )
        return buf.getvalue()

    def write_article(self, records: list[dict[str, Any]], rejected: list[dict[str, Any]]) -> None:
        if records:
            text = "".join(self._csv_line(r) if self._csv else dumps(r) + "\n" for r in records)
            self._out.write(text)
            self._out.flush()
        if rejected:
            self._rejected.write("".join(dumps(r) + "\n" for r in rejected))
            self._rejected.flush()

    def write_error(self, row: dict[str, Any]) -> None:
        self._errors.write(dumps(row) + "\n")
        self._errors.flush()

    def close(self) -> None:
        for fh in (self._out, self._rejected, self._errors):
            fh.close()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
