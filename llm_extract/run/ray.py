"""The Ray Data engine: extraction over a cluster (``pip install 'llm-extract[ray]'``).

The only module that imports Ray. :func:`extract_dataset` maps a dataset of articles to a
dataset of record rows with ``map_batches`` and a callable class, so each actor builds one
backend (for the LLM backend: one event loop and one HTTP pool, ``concurrency`` requests in
flight) and keeps it for every batch it is given. Ray restarts an actor that dies and runs its
batch again (Ray Data's defaults for actor pools: unlimited restarts and task retries), so a
lost worker costs time, not rows. :func:`run_dataset` is what ``llm-extract run --engine ray``
uses: the same inputs, output files, journal and resume rule as the in-process run.

Rows have the columns of the JSONL output plus ``status`` (``verified``, ``rejected`` or
``error``), ``reasons`` and ``error``; ``span``, ``checks`` and ``reasons`` are JSON text, as in
CSV and Parquet output, so every block has one schema. Settings travel to the actors without the
API key (a key is never pickled): the actors read ``LLM_EXTRACT_API_KEY`` / ``OPENAI_API_KEY``
from their own environment; a key given in Python is passed in the job's runtime environment.
``rpm`` / ``tpm`` are for the whole cluster: each of the ``actors`` gets its share.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

try:
    import ray
    import ray.data
except ImportError as exc:  # pragma: no cover - exercised where the extra is missing
    raise ImportError("the Ray engine needs Ray: pip install 'llm-extract[ray]'") from exc

from llm_extract.errors import ConfigError, InputError
from llm_extract.pipeline import Extraction, arun_backend, make_backend, run_backend
from llm_extract.run.batch import PRICES, Summary, _items, _record
from llm_extract.run.cache import ChunkCache, default_cache_dir
from llm_extract.run.output import CSV_FIELDS, RunWriter, flat_cell
from llm_extract.run.pacing import Pacer
from llm_extract.settings import Settings
from llm_extract.types import Article, Usage

__all__ = ["ROW_FIELDS", "extract_dataset", "quiet_ray", "run_dataset", "start"]

ROW_FIELDS = [*CSV_FIELDS, "mode", "schema_hash", "reasons", "error"]
# Fault injection for the tests (named as what it is): an actor that can rename this file away
# exits at once, once, mid-run, as a lost worker would.
_KILL_ONCE = "LLM_EXTRACT_RAY_KILL_ONCE"


def start(address: str | None = None) -> None:
    """Join the cluster at ``address`` (``auto``, ``ray://host:10001``), or start a local one."""
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    quiet_ray()


def quiet_ray() -> None:
    """No progress bars or per-operator log lines from Ray Data: the run prints its own summary."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.verbose_progress = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _settings_fields(settings: Settings) -> dict[str, Any]:
    fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    fields.pop("api_key")
    return fields


class _Extractor:
    """One actor: a backend built once, applied to every batch of articles it is given."""

    def __init__(
        self,
        backend: str,
        settings: dict[str, Any],
        *,
        all_pages: bool,
        text_column: str,
        id_column: str,
        per_article: bool,
        concurrency: int,
        rpm: float | None,
        tpm: float | None,
        cache: bool,
        cache_dir: str | None,
    ) -> None:
        self.settings = Settings.from_env(**settings)
        self.backend: Any = make_backend(backend, self.settings)
        if self.backend.name == "openai":
            from llm_extract.backends.llm import LLMBackend

            store = ChunkCache(Path(cache_dir) if cache_dir else default_cache_dir()) if cache else None
            self.backend = LLMBackend(self.settings, cache=store, concurrency=concurrency, pacer=Pacer(rpm, tpm))
        self.all_pages = all_pages
        self.text_column, self.id_column = text_column, id_column
        self.per_article = per_article

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        _maybe_die()
        ids, texts = list(batch[self.id_column]), list(batch[self.text_column])
        sources = list(batch["source"]) if "source" in batch else [f"<dataset row {i}>" for i in ids]
        docs: list[Article | InputError] = []
        for doc_id, text, source in zip(ids, texts, sources, strict=True):
            if not isinstance(text, str) or not text.strip():
                docs.append(InputError(str(source), "the text is empty" if isinstance(text, str) else "no text"))
            else:
                docs.append(Article(doc_id=str(doc_id), text=text, source=str(source)))
        results = self._extract([d for d in docs if isinstance(d, Article)])
        outcomes: list[tuple[Article | InputError, Extraction | None]] = []
        found = iter(results)
        for doc in docs:
            outcomes.append((doc, next(found) if isinstance(doc, Article) else None))
        return _article_rows(outcomes) if self.per_article else _record_rows(outcomes)

    def _extract(self, docs: list[Article]) -> list[Extraction]:
        if hasattr(self.backend, "apropose_here") and hasattr(self.backend, "run"):

            async def all_of() -> list[Extraction]:
                return list(await asyncio.gather(*(arun_backend(d, self.backend, all_pages=self.all_pages)
                                                   for d in docs)))  # fmt: skip

            return self.backend.run(all_of())  # type: ignore[no-any-return]
        return [run_backend(d, self.backend, all_pages=self.all_pages) for d in docs]


def _maybe_die() -> None:
    marker = os.environ.get(_KILL_ONCE)
    if marker:
        try:
            os.rename(marker, marker + ".claimed")  # atomic: exactly one actor claims it
        except OSError:
            return
        os._exit(1)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out = {name: flat_cell(row.get(name)) for name in ROW_FIELDS}
    for name in ("value", "growth_pct"):
        value = out[name]
        if value is not None:
            out[name] = float(value)
    return out


def _record_rows(outcomes: list[tuple[Article | InputError, Extraction | None]]) -> dict[str, list[Any]]:
    rows: list[dict[str, Any]] = []
    for doc, result in outcomes:
        if result is None or not result.ok:
            error = str(doc) if result is None else "; ".join(result.errors)
            doc_id = None if isinstance(doc, InputError) else doc.doc_id
            rows.append(_flat({"doc_id": doc_id, "status": "error", "error": error}))
            continue
        rows.extend(_flat(r) for r in result.records)
        rows.extend(_flat(r) for r in result.rejected)
    return {name: [r[name] for r in rows] for name in ROW_FIELDS}


def _article_rows(outcomes: list[tuple[Article | InputError, Extraction | None]]) -> dict[str, list[Any]]:
    """One row per article: its whole outcome as JSON (what ``run_dataset`` writes from)."""
    out: dict[str, list[Any]] = {"doc_id": [], "source": [], "outcome": []}
    for doc, result in outcomes:
        out["doc_id"].append(None if isinstance(doc, InputError) else doc.doc_id)
        out["source"].append(doc.source)
        outcome: dict[str, Any]
        if result is None:
            outcome = {"input_error": str(doc)}
        else:
            outcome = {"records": result.records, "rejected": result.rejected, "errors": result.errors,
                       "usage": result.usage.as_dict(), "note": result.note, "chunks": result.chunks}  # fmt: skip
        out["outcome"].append(json.dumps(outcome, ensure_ascii=False))
    return out


def _map(
    ds: ray.data.Dataset,
    *,
    backend: str,
    settings: Settings | None,
    text_column: str,
    id_column: str,
    per_article: bool,
    actors: int | None,
    batch_size: int,
    all_pages: bool,
    concurrency: int | None,
    rpm: float | None,
    tpm: float | None,
    cache: bool,
    cache_dir: str | Path | None,
) -> ray.data.Dataset:
    settings = settings or Settings.from_env()
    if backend not in ("rules", "openai", "auto"):
        raise ConfigError(f"unknown backend {backend!r}: use rules, openai or auto")
    if backend == "auto":
        backend = "openai" if settings.configured else "rules"
    n = actors or max(1, int(ray.available_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]
    env = {}
    key = settings.api_key.get()
    if key and not (os.environ.get("LLM_EXTRACT_API_KEY") or os.environ.get("OPENAI_API_KEY")):
        env["LLM_EXTRACT_API_KEY"] = key  # visible to whoever can read the job's runtime environment
    remote: dict[str, Any] = {"runtime_env": {"env_vars": env}} if env else {}
    kwargs = {
        "backend": backend,
        "settings": _settings_fields(settings),
        "all_pages": all_pages,
        "text_column": text_column,
        "id_column": id_column,
        "per_article": per_article,
        "concurrency": concurrency or settings.default_concurrency,
        "rpm": rpm / n if rpm else None,  # cluster-wide limits: each actor gets its share
        "tpm": tpm / n if tpm else None,
        "cache": cache,
        "cache_dir": str(cache_dir) if cache_dir else None,
    }
    # The settings ride with the class, not as constructor arguments in the object store (an actor
    # restarted after its arguments were freed could not be rebuilt).
    configured = type("_ConfiguredExtractor", (_Extractor,), {"_kwargs": kwargs, "__init__": _configured_init})
    return ds.map_batches(
        configured,
        batch_size=batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=n),
        num_cpus=1,
        **remote,
    )


def _configured_init(self: Any) -> None:
    _Extractor.__init__(self, **self._kwargs)


def extract_dataset(
    ds: ray.data.Dataset,
    *,
    backend: str = "auto",
    settings: Settings | None = None,
    text_column: str = "text",
    id_column: str = "id",
    actors: int | None = None,
    batch_size: int = 32,
    all_pages: bool = False,
    concurrency: int | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    cache: bool = True,
    cache_dir: str | Path | None = None,
) -> ray.data.Dataset:
    """Record rows for a dataset of articles (``id_column``, ``text_column``; ``source`` if present).

    One row per verified record (``status`` ``verified``), per rejected record (``rejected``, with
    ``reasons``) and per article that failed or had no text (``error``). ``actors`` defaults to the
    cluster's CPUs; ``concurrency`` is the requests in flight per actor (LLM backend).
    """
    return _map(ds, backend=backend, settings=settings, text_column=text_column, id_column=id_column,
                per_article=False, actors=actors, batch_size=batch_size, all_pages=all_pages,
                concurrency=concurrency, rpm=rpm, tpm=tpm, cache=cache, cache_dir=cache_dir)  # fmt: skip


def run_dataset(
    inputs: Iterable[str | Path],
    writer: RunWriter,
    *,
    backend: str,
    settings: Settings,
    done: set[str] | None = None,
    shard: tuple[int, int] | None = None,
    prices: tuple[float, float] | None = None,
    **options: Any,
) -> Summary:
    """``llm-extract run --engine ray``: read ``inputs`` as the in-process run does (articles
    already journaled skipped), extract on the cluster, and write each article's outcome with
    ``writer`` as it comes back. ``options``: those of :func:`extract_dataset` after ``id_column``."""
    model = settings.model if backend != "rules" and settings.configured else None
    summary = Summary(backend=backend if backend != "auto" else ("openai" if settings.configured else "rules"),
                      model=model, prices=prices or PRICES.get(str(model)))  # fmt: skip
    start = time.perf_counter()
    articles: list[dict[str, str]] = []
    for item in _items(inputs, shard, done or set(), summary):
        if isinstance(item, InputError):
            _record(summary, writer, item, None)
        else:
            articles.append({"id": item.doc_id, "text": item.text, "source": item.source})
    if articles:
        quiet_ray()
        ds = ray.data.from_items(articles)
        options = {"actors": None, "batch_size": 32, "all_pages": False, "concurrency": None, "rpm": None,
                   "tpm": None, "cache": True, "cache_dir": None} | options  # fmt: skip
        mapped = _map(ds, backend=backend, settings=settings, text_column="text", id_column="id", per_article=True,
                      **options)  # fmt: skip
        for row in mapped.iter_rows():
            outcome = json.loads(row["outcome"])
            doc = Article(doc_id=str(row["doc_id"]), text="", source=str(row["source"]))
            result = Extraction(doc_id=doc.doc_id, records=outcome["records"], rejected=outcome["rejected"],
                                errors=outcome["errors"], usage=Usage(**outcome["usage"]), note=outcome["note"],
                                chunks=outcome["chunks"])  # fmt: skip
            _record(summary, writer, doc, result)
    summary.seconds = time.perf_counter() - start
    return summary
