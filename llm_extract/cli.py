"""The ``llm-extract`` command: a thin shell over the library.

Exit codes: 0 every article done, 1 some articles failed (or records rejected, for ``check``),
2 usage or configuration error (the message says the fix).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from llm_extract.backends.prompting import load_template
from llm_extract.errors import ConfigError, InputError, LLMExtractError, OutputError
from llm_extract.evaluation import evaluate, load_jsonl
from llm_extract.figures.check import check_rows
from llm_extract.pipeline import Backend, Extraction, make_backend
from llm_extract.run.batch import PRICES, Summary, dry_run, parse_shard, run_batch
from llm_extract.run.cache import ChunkCache, default_cache_dir
from llm_extract.run.output import RunWriter, dumps, journal_path, prepare_resume, read_records, write_table
from llm_extract.run.pacing import Pacer
from llm_extract.run.report import build_report, write_report
from llm_extract.run.tidy import TABLE_FIELDS, tidy
from llm_extract.run.tidy import wide as wide_table
from llm_extract.settings import MODES, Settings
from llm_extract.text.chunking import estimate_tokens
from llm_extract.text.cleaning import clean, dropped_lines
from llm_extract.text.content import economic_figures, not_economic
from llm_extract.text.loading import decode_bytes, html_dropped_lines, iter_articles

__all__ = ["main"]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llm-extract")
def cli() -> None:
    """Grounded extraction of economic figures from Chinese news: every number proven in the source."""


# The settings an endpoint call takes from the command line (Settings.from_env overrides).
_ENDPOINT = ("base_url", "api_key", "model", "mode", "max_retries", "timeout", "chunk_tokens", "max_tokens",
             "transport_retries")  # fmt: skip


def _options(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Several click options as one decorator, in the order given."""

    def apply(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


_endpoint_options = _options(
    click.option("--base-url", envvar="LLM_EXTRACT_BASE_URL", help="OpenAI-compatible endpoint."),
    click.option("--api-key", help="API key (default: LLM_EXTRACT_API_KEY or OPENAI_API_KEY)."),
    click.option("--model", help="Model name (default: LLM_EXTRACT_MODEL)."),
    click.option("--mode", type=click.Choice(MODES), help="instructor mode (default: by endpoint)."),
)
_chunk_options = _options(
    click.option("--chunk-tokens", type=int, help="Estimated-token budget of one chunk (default 600)."),
    click.option("--max-tokens", type=int,
                 help="Cap on one answer's budget; each chunk's budget is set by its figures (default 4096)."),
    click.option("--transport-retries", type=click.IntRange(0, 20),
                 help="HTTP retries of 429, 5xx, connect timeouts and resets, with backoff (default 4)."),
)  # fmt: skip


def _write_summary(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .jsonl, .csv or .parquet (parquet extra); required unless --dry-run.")  # fmt: skip
@click.option("--backend", type=click.Choice(["auto", "rules", "openai"]), default="auto", show_default=True,
              help="auto: the LLM when an endpoint is configured, else the offline rules.")  # fmt: skip
@_endpoint_options
@click.option("--max-retries", type=int, help="Re-asks after a failed validation (default 2).")
@click.option(
    "--timeout",
    type=float,
    help="Seconds to wait for an answer to start (default 60; 600 for a loopback or private-network endpoint).",
)
@click.option(
    "--silence-timeout",
    type=float,
    help="Seconds a streamed answer may pause between tokens before it counts as stalled (default 30; 120 local).",
)
@click.option("--stream/--no-stream", default=None,
              help="Stream answers, so a slow model is never cut off while it writes (default: on).")  # fmt: skip
@_chunk_options
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1024),
    help="Requests in flight (LLM backend; default 8, 1 for a loopback or private-network endpoint).",
)
@click.option("--rpm", type=float, help="Cap on requests per minute.")
@click.option("--tpm", type=float, help="Cap on tokens per minute (estimated before each request).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Answer cache (default: ~/.cache/llm-extract or LLM_EXTRACT_CACHE_DIR).")  # fmt: skip
@click.option("--no-cache", is_flag=True, help="Neither read nor write the answer cache.")
@click.option("--fresh", is_flag=True, help="Start over: ignore and overwrite the outputs of an earlier run.")
@click.option("--shard", help="Process shard i of n (i/n, from 0): a deterministic 1/n of the inputs.")
@click.option(
    "--all-pages", is_flag=True, help="Extract from every page, also those whose body is not economic reporting."
)
@click.option("--dry-run", is_flag=True, help="Clean and chunk, count tokens and requests; call nothing.")
@click.option("--price-in", type=float, help="USD per million prompt tokens (for the cost line).")
@click.option("--price-out", type=float, help="USD per million completion tokens.")
@click.option("--rejected", "rejected_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rejected records file (default: OUT.rejected.jsonl).")  # fmt: skip
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Failed articles file (default: OUT.errors.jsonl).")  # fmt: skip
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the run summary as JSON here.")  # fmt: skip
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process; ray: a Ray cluster (pip install 'llm-extract[ray]').")  # fmt: skip
@click.option("--address", help="Ray cluster to join (auto, ray://host:10001); default: start a local one.")
@click.option("--actors", type=click.IntRange(1, 100000), help="Ray actors (default: the cluster's CPUs).")
@click.option("-q", "--quiet", is_flag=True, help="Only the final summary line.")
def run(inputs: tuple[str, ...], out: Path | None, backend: str, **opts: Any) -> None:
    """Extract verified records from INPUTS (files, directories, globs, JSONL, - for stdin).

    A run started again with the same command resumes: finished articles are skipped (their
    records stay), unfinished and failed ones are done again. --fresh starts over.
    """
    try:
        settings = Settings.from_env(**{k: opts[k] for k in (*_ENDPOINT, "silence_timeout", "stream")})
        if opts["concurrency"] is None:
            opts["concurrency"] = settings.default_concurrency
        shard = parse_shard(opts["shard"])
        prices = (opts["price_in"], opts["price_out"] or 0.0) if opts["price_in"] is not None else None
        if opts["dry_run"]:
            _dry_run(inputs, settings, shard, prices, all_pages=opts["all_pages"])
            return
        if out is None:
            _fail("missing option -o/--output (the output file, .jsonl, .csv or .parquet)")
            return
        progress = Progress(quiet=opts["quiet"])
        chosen = _backend(backend, settings, opts, on_progress=None if opts["quiet"] else progress.stream)
        rejected_path, errors_path = opts["rejected_path"], opts["errors_path"]
        paths = RunWriter.planned_paths(out, rejected=rejected_path, errors=errors_path)
        done: set[str] = set()
        resume = not opts["fresh"] and journal_path(out).exists()
        if resume:
            done = prepare_resume(paths["out"], paths["rejected"], paths["errors"])
        writer = RunWriter(out, rejected=rejected_path, errors=errors_path, append=resume)
    except ConfigError as exc:
        _fail(str(exc))
        return
    quiet = opts["quiet"]
    if backend == "auto" and chosen.name == "rules" and not quiet:
        click.echo("no endpoint configured: using the offline rules backend (--backend openai to require an LLM)",
                   err=True)  # fmt: skip
    if done and not quiet:
        click.echo(f"resuming: {len(done)} articles already done are skipped (--fresh to start over)", err=True)
    try:
        with writer, progress:
            if opts["engine"] == "ray":
                summary = _run_on_ray(inputs, writer, backend, settings, opts, done=done, shard=shard, prices=prices)
            else:
                summary = run_batch(inputs, writer, chosen, concurrency=opts["concurrency"], shard=shard, done=done,
                                    prices=prices, on_article=progress.update, all_pages=opts["all_pages"])  # fmt: skip
    finally:
        if hasattr(chosen, "close"):
            chosen.close()
    click.echo(summary.line(), err=True)
    if not quiet:
        click.echo(f"wrote {writer.paths['out']} (rejected: {writer.paths['rejected']}, "
                   f"errors: {writer.paths['errors']})", err=True)  # fmt: skip
    if opts["summary_path"]:
        _write_summary(opts["summary_path"], summary.as_dict())
    raise SystemExit(1 if summary.failed else 0)


def _run_on_ray(
    inputs: tuple[str, ...],
    writer: RunWriter,
    backend: str,
    settings: Settings,
    opts: dict[str, Any],
    *,
    done: set[str],
    shard: tuple[int, int] | None,
    prices: tuple[float, float] | None,
) -> Summary:
    try:
        from llm_extract.run.ray import run_dataset, start
    except ImportError:
        _fail("--engine ray needs Ray: pip install 'llm-extract[ray]'")
        raise  # not reached: _fail exits
    start(opts["address"])
    return run_dataset(inputs, writer, backend=backend, settings=settings, done=done, shard=shard,
                       actors=opts["actors"], all_pages=opts["all_pages"], concurrency=opts["concurrency"],
                       rpm=opts["rpm"], tpm=opts["tpm"], cache=not opts["no_cache"], cache_dir=opts["cache_dir"],
                       prices=prices)  # fmt: skip


def _backend(
    backend: str, settings: Settings, opts: dict[str, Any], on_progress: Callable[[dict[str, Any]], None] | None = None
) -> Backend:
    chosen = make_backend(backend, settings)
    if chosen.name != "openai":
        return chosen
    from llm_extract.backends.llm import LLMBackend  # deferred: the SDKs load only for the LLM backend

    cache = None if opts["no_cache"] else ChunkCache(opts["cache_dir"] or default_cache_dir())
    return LLMBackend(settings, cache=cache, concurrency=opts["concurrency"], pacer=Pacer(opts["rpm"], opts["tpm"]),
                      on_progress=on_progress)  # fmt: skip


def _dry_run(
    inputs: tuple[str, ...],
    settings: Settings,
    shard: tuple[int, int] | None,
    prices: tuple[float, float] | None,
    *,
    all_pages: bool = False,
) -> None:
    prompt = load_template("extract")
    overhead = estimate_tokens(prompt.system + prompt.user) + 400  # the schema instructor adds
    report = dry_run(inputs, chunk_tokens=settings.chunk_tokens, prompt_tokens=overhead,
                     max_retries=settings.max_retries, shard=shard,
                     prices=prices or PRICES.get(settings.model), all_pages=all_pages)  # fmt: skip
    for key, value in report.items():
        click.echo(f"{key:<24} {value}")


class Progress:
    """A progress bar on a terminal, plain log lines otherwise, nothing with --quiet.

    While an answer streams in, :meth:`stream` shows the chunk, the tokens received against the
    chunk's budget and the rate: on the bar's second line on a terminal, else one log line per
    answer that takes longer than ``SLOW`` seconds (then one every ``EVERY`` seconds).
    """

    SLOW = 10.0
    EVERY = 30.0

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None
        self._live: Any = None
        self._logged: dict[str, float] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        if self.tty and not self.quiet:
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                     transient=True)  # fmt: skip
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=None)
            self._live = self._bar.add_task("", total=None, visible=False)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def stream(self, info: dict[str, Any]) -> None:
        """An answer streaming in (called from the backend's thread)."""
        if self.quiet:
            return
        text = (f"{info['chunk']}: {info['tokens']}/{info['budget']} tokens, {info['tokens_per_s']:.1f} tokens/s, "
                f"{info['seconds']:.0f}s")  # fmt: skip
        if self._bar is not None:
            self._bar.update(self._live, description=f"  {text}", visible=not info["done"])
            return
        with self._lock:
            key = str(info["chunk"])
            if info["done"]:
                if self._logged.pop(key, None) is not None:
                    click.echo(f"answer  {text} (done)", err=True)
                return
            due = self._logged.get(key, self.SLOW - self.EVERY) + self.EVERY
            if info["seconds"] >= due:
                self._logged[key] = info["seconds"]
                click.echo(f"working {text}", err=True)

    def update(self, summary: Summary, outcome: Extraction | InputError) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            tokens = summary.usage.prompt_tokens + summary.usage.completion_tokens
            self._bar.update(self._task, description=(
                f"{summary.articles} articles, {summary.records} records, {summary.rejected} rejected, "
                f"{summary.failed} failed, {tokens} tokens, {summary.usage.cache_hits} cache hits"))  # fmt: skip
            return
        if isinstance(outcome, InputError):
            click.echo(f"failed  {outcome}", err=True)
        elif not outcome.ok:
            click.echo(f"failed  {outcome.doc_id}: {'; '.join(outcome.errors)}", err=True)
        else:
            click.echo(f"done    {outcome.doc_id}: {len(outcome.records)} records, {len(outcome.rejected)} rejected",
                       err=True)  # fmt: skip


@cli.command()
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sources", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of source articles, DIR/<doc_id>.txt.")  # fmt: skip
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def check(records: Path, sources: Path, out: Path) -> None:
    """Re-verify RECORDS (JSONL from any extractor) against their sources: one output row per input row."""
    counts = {"verified": 0, "rejected": 0}
    try:
        with records.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
            for row in check_rows((line for line in fh), sources):
                counts[row["status"]] += 1
                dst.write(dumps(row) + "\n")
    except UnicodeDecodeError:
        _fail(f"{records}: not UTF-8 text")
    except OSError as exc:
        _fail(f"{exc.filename}: {exc.strerror}")
    click.echo(f"{counts['verified']} verified, {counts['rejected']} rejected -> {out}", err=True)
    raise SystemExit(1 if counts["rejected"] else 0)


def _pct(x: float) -> str:
    return f"{x:.3f}"


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("pred", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores and per-document rows as JSON.")
@click.option("--docs/--no-docs", default=True, help="List per-document misses and false positives.")
def eval_cmd(gold: Path, pred: Path, as_json: bool, docs: bool) -> None:
    """Score PRED records against GOLD facts (precision, recall by tier, F1; region, period, record F1)."""
    try:
        score = evaluate(load_jsonl(gold), load_jsonl(pred))
    except ValueError as exc:
        _fail(str(exc))
        return
    if as_json:
        click.echo(json.dumps(score.as_dict(), ensure_ascii=False, indent=2))
        return
    rows: list[tuple[str, Any]] = [
        ("precision", _pct(score.precision)), ("recall", _pct(score.recall)), ("F1", _pct(score.f1)),
        ("recall tier 1", _pct(score.recall_tier1)), ("recall tier 2", _pct(score.recall_tier2)),
        ("level recall", _pct(score.level_recall)), ("growth recall", _pct(score.growth_recall)),
        ("full recall (level and growth right)", _pct(score.full_recall)), ("strict F1", _pct(score.strict_f1)),
        ("region right (of matched)", _pct(score.region_right)),
        ("period right (of matched)", _pct(score.period_right)),
        ("record precision", _pct(score.record_precision)), ("record recall", _pct(score.record_recall)),
        ("record F1 (number, region and period right)", _pct(score.record_f1)),
        ("gold / predicted / matched", f"{score.gold} / {score.predicted} / {score.matched}"),
    ]  # fmt: skip
    for name, value in rows:
        click.echo(f"{name:<40} {value}")
    if docs:
        for d in score.docs:
            click.echo(f"\n{d.doc}: gold {d.gold}, predicted {d.predicted}, matched {d.matched}, "
                       f"region right {d.region_right}, period right {d.period_right}")  # fmt: skip
            for m in d.misses:
                click.echo(f"  miss  {m.get('indicator')} {m.get('value')}{m.get('unit') or ''} "
                           f"growth={m.get('growth_pct')} | {m.get('quote', '')}")  # fmt: skip
            for p in d.false_positives:
                click.echo(f"  extra {p.get('indicator')} {p.get('value')}{p.get('unit') or ''} "
                           f"growth={p.get('growth_pct')} | {p.get('evidence', '')}")  # fmt: skip
            for w in d.wrong_attributes:
                g, p = w["gold"], w["predicted"]
                click.echo(f"  attr  {g.get('indicator')}: region {p.get('region')!r} (gold {g.get('region')!r}), "
                           f"period {p.get('period')!r} (gold {g.get('period')!r})")  # fmt: skip


@cli.command()
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sources", "sources", multiple=True, required=True,
              help="The source articles (directory, file, glob or JSONL, as for run); repeatable.")  # fmt: skip
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")  # fmt: skip
@click.option("--rejected", "rejected_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Rejected records (default: RECORDS.rejected.jsonl beside RECORDS).")  # fmt: skip
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Failed articles (default: RECORDS.errors.jsonl beside RECORDS).")  # fmt: skip
@click.option("--summary", "summary_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The run's --summary JSON, for tokens and cost in the header.")  # fmt: skip
@click.option("--title", help="Page title.")
def report(records: Path, sources: tuple[str, ...], out: Path, rejected_path: Path | None, errors_path: Path | None,
           summary_path: Path | None, title: str | None) -> None:  # fmt: skip
    """Write one self-contained HTML page to audit every figure of a run (verified, rejected, failed)."""
    try:
        page = build_report(records, sources, rejected_path=rejected_path, errors_path=errors_path,
                            summary_path=summary_path, title=title)  # fmt: skip
        write_report(out, page)
    except ConfigError as exc:
        _fail(str(exc))
        return
    click.echo(f"wrote {out} ({len(page.encode('utf-8')) / 1e6:.1f} MB)", err=True)


@cli.group(name="batch")
def batch_group() -> None:
    """Provider Batch APIs (OpenAI-compatible /files + /batches): half price, answers within 24 h."""


@batch_group.command(name="submit")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The run's output file (.jsonl/.csv); the batch state goes to OUT.batch.json.")  # fmt: skip
@_endpoint_options
@click.option("--max-retries", type=int, help="Follow-up rounds for answers that fail verification (default 2).")
@click.option("--timeout", type=float, help="Seconds to wait for the endpoint's reply to each call.")
@_chunk_options
@click.option("--all-pages", is_flag=True, help="Also pages whose body is not economic reporting.")
def batch_submit(inputs: tuple[str, ...], out: Path, all_pages: bool, **opts: Any) -> None:
    """Clean and chunk INPUTS as run does and upload one request per chunk as a batch."""
    from llm_extract.run.batchapi import state_path, submit

    try:
        settings = Settings.from_env(**{k: opts[k] for k in _ENDPOINT})
        if not settings.configured:
            raise ConfigError("no endpoint configured: set LLM_EXTRACT_BASE_URL (or an OpenAI key)")
        run = submit(list(inputs), out, settings, all_pages=all_pages)
    except (ConfigError, LLMExtractError) as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # the endpoint refused the upload (openai's errors are not ours to import here)
        _fail(f"the endpoint refused the batch: {' '.join(str(exc).split())[:300]}")
        return
    ids = ", ".join(b["id"] for b in run.batches) or "none (no chunk to ask)"
    click.echo(f"{len(run.articles)} articles, {len(run.requests)} requests, {len(run.input_errors)} bad inputs; "
               f"batch {ids}; state in {state_path(out)}", err=True)  # fmt: skip


@batch_group.command(name="status")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def batch_status(out: Path) -> None:
    """Show the state of every batch of the run whose output is OUT."""
    from llm_extract.run.batchapi import status

    try:
        rows = status(out)
    except (ConfigError, LLMExtractError) as exc:
        _fail(str(exc))
        return
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


@batch_group.command(name="collect")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--price-in", type=float, help="USD per million prompt tokens at batch rates.")
@click.option("--price-out", type=float, help="USD per million completion tokens at batch rates.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the summary as JSON here.")  # fmt: skip
def batch_collect(out: Path, price_in: float | None, price_out: float | None, summary_path: Path | None) -> None:
    """Download finished batches, verify every answer, send follow-ups, write finished articles."""
    from llm_extract.run.batchapi import collect

    prices = (price_in, price_out or 0.0) if price_in is not None else None
    try:
        summary, run = collect(out, prices=prices)
    except (ConfigError, LLMExtractError) as exc:
        _fail(str(exc))
        return
    pending = run.pending
    click.echo(summary.line(), err=True)
    click.echo(f"{len(pending)} batches pending" + (f" ({', '.join(b['id'] for b in pending)}): run collect again"
               if pending else ": all collected"), err=True)  # fmt: skip
    if summary_path:
        _write_summary(summary_path, summary.as_dict() | {"pending_batches": len(pending)})


@cli.command(name="table")
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="TABLE.csv, .jsonl, .parquet (parquet extra) or .xlsx (xlsx extra).")  # fmt: skip
@click.option("--by", default="region,period", show_default=True,
              help="Fields that key a row besides the indicator (region, period, doc_id, …).")  # fmt: skip
@click.option("--indicator", "indicators", multiple=True, help="Only these indicators (repeatable).")
@click.option("--wide", is_flag=True, help="One row per region and period, one column per indicator.")
def table_cmd(records: Path, out: Path, by: str, indicators: tuple[str, ...], wide: bool) -> None:
    """A tidy table of the verified RECORDS of a run (.jsonl, .csv or .parquet): one row per
    place, period and canonical indicator, values in base units, conflicting values kept as flagged rows."""
    try:
        rows = read_records(records)
        table = tidy(rows, by=[f.strip() for f in by.split(",") if f.strip()], indicators=indicators or None)
        fields = TABLE_FIELDS
        if wide:
            table, fields = wide_table(table), ["region", "region_code", "period", "period_start", "period_end"]
        write_table(table, out, fields)
    except (ConfigError, OutputError) as exc:
        _fail(str(exc))
        return
    conflicts = sum(1 for row in table if row.get("conflict"))
    click.echo(f"{len(rows)} records -> {len(table)} rows ({conflicts} in conflict); wrote {out}", err=True)


@cli.command(name="clean")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--show-dropped", is_flag=True, help="Also list every dropped line with the reason.")
@click.option("--explain", is_flag=True, help="Also say whether the body reads as economic reporting, and why.")
def clean_cmd(inputs: tuple[str, ...], show_dropped: bool, explain: bool) -> None:
    """Print the cleaned text of INPUTS (what the model and the verifier see)."""
    failed = False
    for item in iter_articles(inputs):
        if isinstance(item, InputError):
            click.echo(f"error: {item}", err=True)
            failed = True
            continue
        click.echo(f"=== {item.doc_id}")
        cleaned = clean(item.text).text
        click.echo(cleaned)
        if explain:
            reason = not_economic(cleaned)
            verdict = reason or f"economic reporting: {economic_figures(cleaned)} figures stated in economic terms"
            click.echo(f"--- {item.doc_id}: {verdict}")
        if show_dropped:
            lines = dropped_lines(item.text)
            if item.source.lower().endswith((".html", ".htm")):
                markup = decode_bytes(Path(item.source).read_bytes(), item.source)
                lines = [
                    (line, "outside the main content of the HTML page") for line in html_dropped_lines(markup)
                ] + lines
            click.echo(f"--- {item.doc_id}: {len(lines)} lines dropped")
            for line, why in lines:
                click.echo(f"[{why}] {line}")
    raise SystemExit(1 if failed else 0)


def main() -> None:
    """Console entry point: library errors become one clear line and exit code 2, never a traceback."""
    try:
        cli.main(prog_name="llm-extract", standalone_mode=True)
    except LLMExtractError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
