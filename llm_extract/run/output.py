"""Writing: records, rejected records and failed articles, one article at a time.

``-o OUT`` picks the format by extension: ``.jsonl`` (UTF-8, ``ensure_ascii=False``),
``.csv`` (UTF-8 with BOM, for spreadsheets; nested fields as JSON) or ``.parquet`` (with the
``parquet`` extra, pyarrow; nested fields as JSON strings). Rejected records go to
``OUT.rejected.jsonl`` and failed articles to ``OUT.errors.jsonl`` unless given paths. Each
article's lines are written in one call and flushed, so a killed run leaves whole lines only.

A Parquet file cannot be appended to line by line, so a ``.parquet`` run logs its records to
``OUT.records.jsonl`` as it goes (that log is what a resumed run continues) and writes the
Parquet file from it, atomically, when the run ends.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from llm_extract.attributes.resolver import FIELDS
from llm_extract.errors import ConfigError, OutputError

__all__ = [
    "CSV_FIELDS", "FORMATS", "RunWriter", "default_side_paths", "dumps", "flat_cell", "journal_path", "prepare_resume",
    "read_records", "records_log", "write_parquet", "write_table",
]  # fmt: skip
FORMATS = (".jsonl", ".csv", ".parquet")

CSV_FIELDS = [
    "doc_id", "indicator", "indicator_canonical", *FIELDS, "value", "unit", "growth_pct", "qualifier", "evidence",
    "span", "status", "checks", "backend", "model", "prompt_hash",
]  # fmt: skip


def dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _beside(out: Path, kind: str) -> Path:
    """``OUT.<kind>.jsonl`` next to ``OUT`` (its extension replaced)."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}.{kind}.jsonl")


def default_side_paths(out: Path) -> tuple[Path, Path]:
    """``OUT.rejected.jsonl`` and ``OUT.errors.jsonl`` next to ``OUT``."""
    return _beside(out, "rejected"), _beside(out, "errors")


def journal_path(out: Path) -> Path:
    """``OUT.journal.jsonl``: one line per finished article, written after its records."""
    return _beside(out, "journal")


def records_log(out: Path) -> Path:
    """Where records are appended as they come: ``OUT`` itself, or ``OUT.records.jsonl`` for Parquet."""
    return _beside(out, "records") if out.suffix.lower() == ".parquet" else out


def _complete_lines(path: Path) -> list[str]:
    """The lines of ``path`` that end in a newline (a killed run may leave half a line)."""
    try:
        text = path.read_text(encoding="utf-8-sig" if path.suffix == ".csv" else "utf-8")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]]


def _doc_id_of(line: str) -> str | None:
    try:
        value = json.loads(line).get("doc_id")
    except (ValueError, AttributeError):
        return None
    return None if value is None else str(value)


def prepare_resume(out: Path, rejected: Path, errors: Path) -> set[str]:
    """Make the outputs of an interrupted run consistent and return the finished ``doc_id``s.

    Finished articles are those in the journal. Lines of any other article (written before a
    kill, not yet journaled) and half-written last lines are removed; the errors file is
    emptied, since every failed article is tried again.
    """
    journal = journal_path(out)
    out = records_log(out)
    done: set[str] = set()
    for line in _complete_lines(journal):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("state") == "done":
            done.add(str(entry["doc_id"]))
    for path, is_csv in ((out, out.suffix.lower() == ".csv"), (rejected, False)):
        lines = _complete_lines(path)
        if not lines:
            continue
        if is_csv:  # a quoted field may hold a line break: read whole records
            rows = list(csv.reader(io.StringIO("".join(lines))))
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(rows[0])
            writer.writerows(r for r in rows[1:] if len(r) == len(rows[0]) and r[0] in done)
            _atomic_write(path, "\ufeff" + buf.getvalue())
            continue
        _atomic_write(path, "".join(line for line in lines if _doc_id_of(line) in done))
    _atomic_write(journal, "".join(dumps({"doc_id": d, "state": "done"}) + "\n" for d in sorted(done)))
    _atomic_write(errors, "")
    return done


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def flat_cell(value: Any) -> Any:
    """A cell of a flat format (CSV, Parquet): nested values (span, checks) as JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _check_format(out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"{out}: unknown output format {suffix or '(none)'!r}; use .jsonl, .csv or .parquet")
    if suffix == ".parquet":
        _pyarrow(out)


def _open(path: Path, mode: str) -> IO[str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(mode, encoding="utf-8", newline="")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write here ({exc.strerror or exc})") from None


class RunWriter:
    """Appends one article's outcome at a time to the three output files."""

    @staticmethod
    def planned_paths(out: Path, *, rejected: Path | None = None, errors: Path | None = None) -> dict[str, Path]:
        _check_format(out)
        default_rejected, default_errors = default_side_paths(out)
        paths = {"out": out, "rejected": rejected or default_rejected, "errors": errors or default_errors}
        if records_log(out) != out:
            paths["records"] = records_log(out)
        return paths

    def __init__(
        self, out: Path, *, rejected: Path | None = None, errors: Path | None = None, append: bool = False
    ) -> None:
        self.paths = self.planned_paths(out, rejected=rejected, errors=errors)  # checks the format
        suffix = out.suffix.lower()
        self._csv = suffix == ".csv"
        self._parquet = out if suffix == ".parquet" else None
        log = records_log(out)
        mode = "a" if append else "w"
        new_csv = self._csv and (not append or not out.exists() or out.stat().st_size == 0)
        self._out = _open(log, mode)
        self._rejected = _open(self.paths["rejected"], mode)
        self._errors = _open(self.paths["errors"], mode)
        self.paths["journal"] = journal_path(out)
        self._journal = _open(self.paths["journal"], mode)
        if new_csv:
            self._out.write("\ufeff" + self._csv_line(dict(zip(CSV_FIELDS, CSV_FIELDS, strict=True))))
            self._out.flush()

    def _csv_line(self, row: dict[str, Any]) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["" if v is None else v for v in (flat_cell(row.get(k)) for k in CSV_FIELDS)])
        return buf.getvalue()

    def _append(self, fh: IO[str], text: str) -> None:
        try:
            fh.write(text)
            fh.flush()
        except OSError as exc:
            raise OutputError(
                f"{fh.name}: cannot write ({exc.strerror or exc}); the articles finished before this are kept "
                "in the journal: free the space or fix the path, then rerun the same command to resume"
            ) from None

    def write_article(self, records: list[dict[str, Any]], rejected: list[dict[str, Any]]) -> None:
        if records:
            self._append(self._out, "".join(self._csv_line(r) if self._csv else dumps(r) + "\n" for r in records))
        if rejected:
            self._append(self._rejected, "".join(dumps(r) + "\n" for r in rejected))

    def write_error(self, row: dict[str, Any]) -> None:
        self._append(self._errors, dumps(row) + "\n")

    def journal(
        self, doc_id: str, state: str, note: str | None = None, chunks: list[dict[str, object]] | None = None
    ) -> None:
        """Mark an article finished; called only after its lines are flushed. ``note`` says why
        it gave no records when that was decided before extracting (a page not about the economy);
        ``chunks`` are the LLM backend's per-chunk requests, tokens, runaways and seconds."""
        line: dict[str, object] = {"doc_id": doc_id, "state": state}
        if note is not None:
            line["note"] = note
        if chunks:
            line["chunks"] = chunks
        self._append(self._journal, dumps(line) + "\n")

    def close(self) -> None:
        for fh in (self._out, self._rejected, self._errors, self._journal):
            with contextlib.suppress(OSError):  # a failing flush failed in _append already, nothing journaled
                fh.close()
        if self._parquet is not None:
            write_parquet(records_log(self._parquet), self._parquet)

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# Parquet column types; nested values (span, checks) are kept as JSON text, as in the CSV.
_PARQUET_TYPES = {"value": "float64", "growth_pct": "float64"}


def _pyarrow(out: Path) -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ConfigError(
            f"{out}: Parquet output needs pyarrow: pip install 'llm-extract[parquet]' (or write .jsonl / .csv)"
        ) from None
    return pyarrow


def write_parquet(log: Path, out: Path) -> int:
    """Write the records of the JSONL ``log`` to ``out`` as Parquet (atomically); the row count."""
    pa = _pyarrow(out)
    rows = [json.loads(line) for line in _complete_lines(log) if line.strip()]
    columns: dict[str, list[Any]] = {name: [] for name in CSV_FIELDS}
    for row in rows:
        for name in CSV_FIELDS:
            v = flat_cell(row.get(name))
            columns[name].append(None if v is None else float(v) if name in _PARQUET_TYPES else str(v))
    schema = pa.schema([(name, getattr(pa, _PARQUET_TYPES.get(name, "string"))()) for name in CSV_FIELDS])
    table = pa.table(columns, schema=schema)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        pa.parquet.write_table(table, tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{out}: cannot write here ({exc.strerror or exc})") from None
    return len(rows)


_JSON_COLUMNS = {"span", "checks"}  # held as JSON text in CSV and Parquet


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records of a run's output — ``.jsonl``, ``.csv`` or ``.parquet`` — as dicts with typed
    values (``value`` and ``growth_pct`` floats, ``span`` and ``checks`` parsed), whatever the format."""
    source = Path(path)
    suffix = source.suffix.lower()
    try:
        if suffix == ".jsonl":
            return [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        if suffix == ".csv":
            with source.open(encoding="utf-8-sig", newline="") as fh:
                return [_typed(row) for row in csv.DictReader(fh)]
        if suffix == ".parquet":
            pa = _pyarrow(source)
            return [_typed(row) for row in pa.parquet.read_table(source).to_pylist()]
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the records ({getattr(exc, 'strerror', None) or exc})") from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise ConfigError(f"{source}: not a records file of llm-extract ({exc})") from None
    raise ConfigError(f"{source}: records are read from .jsonl, .csv or .parquet")


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if value == "" or value is None:
            out[name] = None
        elif name in _PARQUET_TYPES:
            out[name] = float(value)
        elif name in _JSON_COLUMNS and isinstance(value, str):
            out[name] = json.loads(value)
        else:
            out[name] = value
    return out


def write_table(rows: list[dict[str, Any]], out: Path, fields: list[str]) -> None:
    """Rows of a table to ``out`` (``.csv`` with a BOM, ``.jsonl``, ``.parquet`` or ``.xlsx``), atomically."""
    suffix = out.suffix.lower()
    columns = list(dict.fromkeys([*fields, *(k for row in rows for k in row)]))
    if suffix == ".jsonl":
        _atomic_write(out, "".join(dumps(row) + "\n" for row in rows))
    elif suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: flat_cell(v) for k, v in row.items()} for row in rows)
        _atomic_write(out, "\ufeff" + buffer.getvalue())
    elif suffix == ".parquet":
        pa = _pyarrow(out)
        table = pa.table({name: [flat_cell(row.get(name)) if isinstance(row.get(name), list) else row.get(name)
                                 for row in rows] for name in columns})  # fmt: skip
        tmp = out.with_name(f".{out.name}.tmp")
        pa.parquet.write_table(table, tmp)
        os.replace(tmp, out)
    elif suffix == ".xlsx":
        _write_xlsx(rows, out, columns)
    else:
        raise ConfigError(f"{out}: tables are written as .csv, .jsonl, .parquet or .xlsx")


def _write_xlsx(rows: list[dict[str, Any]], out: Path, columns: list[str]) -> None:
    try:
        from openpyxl import Workbook  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(f"{out}: writing .xlsx needs openpyxl: pip install 'llm-extract[xlsx]'") from None
    book = Workbook(write_only=True)
    sheet = book.create_sheet("table")
    sheet.append(columns)
    for row in rows:
        sheet.append([flat_cell(row.get(name)) for name in columns])
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        book.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write here ({exc.strerror or exc})") from None
