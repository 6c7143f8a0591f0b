"""The review report: one self-contained HTML page to audit every figure of a run.

``llm-extract report OUT.jsonl --sources DIR -o report.html`` reads a run's records, its
rejected records and failed articles (``OUT.rejected.jsonl`` and ``OUT.errors.jsonl`` unless
given), and the source articles, and writes one HTML file with inline CSS and JavaScript and
no network reference, so it opens offline and can be attached to an email.

Per article the raw text is shown (the cleaned text behind a toggle), every verified record
highlighted by ``<mark>`` elements that together cover exactly ``raw[span[0]:span[1]]``; the
numbers the verifier matched are marked more strongly. Rejected records are pinned at the
nearest text (the first span the verifier located, else nothing) and listed with their
reasons; failed articles show their errors. Each article is pre-rendered as markup inside an
inert ``<script type="text/x-article">`` (the browser keeps it as text: no parsing, no DOM) and
only the article on screen is turned into elements, so a run of 1,000 articles opens fast.

The "Tables" view (button in the header) shows the run as a tidy table (:mod:`llm_extract.run.tidy`)
and, for every canonical indicator with figures from two regions or two periods, a chart
(:mod:`llm_extract.run.charts`, inline SVG): bars by region or lines by period, one mark per table
row, conflicts in red; clicking a mark opens its article at the figure.

Every piece of article or record text goes through :func:`html.escape`; nothing from the
input is ever markup or script.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_extract.errors import ConfigError, InputError
from llm_extract.evaluation import load_jsonl
from llm_extract.run.charts import charts, render
from llm_extract.run.output import default_side_paths, records_log
from llm_extract.run.tidy import indicator_of, tidy
from llm_extract.text.cleaning import clean
from llm_extract.text.loading import iter_articles

__all__ = ["build_report", "read_rows", "write_report"]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a run's output: JSONL, CSV (as written by ``run``) or Parquet (via its records log)."""
    if path.suffix.lower() == ".parquet":
        log = records_log(path)
        if not log.exists():
            raise ConfigError(f"{path}: its records log {log.name} is missing (the report reads that)")
        path = log
    try:
        if path.suffix.lower() != ".csv":
            return load_jsonl(path)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except ValueError as exc:  # a bad JSON line, named by file and line
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return [_csv_row(path, n, row) for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2)]


def _csv_row(path: Path, n: int, row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
    try:
        for key in ("value", "growth_pct"):
            if out.get(key) is not None:
                out[key] = float(out[key])
        for key in ("span", "checks"):
            if out.get(key) is not None:
                out[key] = json.loads(out[key])
    except ValueError:
        raise ConfigError(f"{path}:{n}: a number or JSON field cannot be read") from None
    return out


def _read_optional(path: Path | None) -> list[dict[str, Any]]:
    return read_rows(path) if path is not None and path.exists() else []


@dataclass
class _Doc:
    doc_id: str
    source: str = ""
    raw: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.errors:
            return "failed"
        if self.rejected:
            return "rejected"
        return "verified" if self.records else "empty"


def _spans(row: dict[str, Any], length: int) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """The record's evidence span and its located number spans, clipped to the text (None if absent)."""

    def ok(span: Any) -> tuple[int, int] | None:
        if isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span):
            start, end = int(span[0]), int(span[1])
            if 0 <= start < end <= length:
                return start, end
        return None

    numbers = [s for c in row.get("checks") or [] if isinstance(c, dict) and (s := ok(c.get("span")))]
    return ok(row.get("span")), numbers


def _marked(text: str, figures: Sequence[tuple[int, int, int]], numbers: Sequence[tuple[int, int]],
            pins: Sequence[tuple[int, int]]) -> str:  # fmt: skip
    """``text`` escaped, with ``<mark>`` segments for ``figures`` (start, end, record) and pins."""
    bounds = {0, len(text)}
    for start, end, _ in figures:
        bounds.update((start, end))
    for start, end in numbers:
        bounds.update((start, end))
    pin_at: dict[int, list[int]] = {}
    for pos, j in pins:
        bounds.add(pos)
        pin_at.setdefault(pos, []).append(j)
    cuts = sorted(bounds)
    parts: list[str] = []
    for a, b in itertools.pairwise(cuts):
        for j in pin_at.get(a, []):
            parts.append(f'<span class="pin" data-rej="{j}" title="rejected record {j + 1}"></span>')
        piece = html.escape(text[a:b], quote=False)
        recs = [k for start, end, k in figures if start <= a and b <= end]
        if not recs:
            parts.append(piece)
            continue
        strong = " num" if any(s <= a and b <= e for s, e in numbers) else ""
        ids = " ".join(str(k) for k in recs)
        parts.append(f'<mark class="fig{strong}" data-recs="{ids}" tabindex="-1">{piece}</mark>')
    for j in pin_at.get(len(text), []):
        parts.append(f'<span class="pin" data-rej="{j}" title="rejected record {j + 1}"></span>')
    return "".join(parts)


def _to_cleaned(index: Sequence[int], span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = bisect_left(index, span[0]), bisect_left(index, span[1])
    return (start, end) if start < end else None


def _attr(value: Any) -> str:
    return html.escape(json.dumps(value, ensure_ascii=False), quote=True)


def _cell(value: Any) -> str:
    return "" if value is None else html.escape(str(value), quote=False)


def _checks_cell(row: dict[str, Any]) -> str:
    return "<br>".join(
        f'<span class="verdict v-{_cell(c.get("verdict"))}">{_cell(c.get("field"))}: {_cell(c.get("verdict"))}</span>'
        for c in row.get("checks") or []
        if isinstance(c, dict)
    )


def _near(raw: str | None, span: tuple[int, int] | None, width: int = 40) -> str:
    if raw is None or span is None:
        return '<span class="muted">(not located in the text)</span>'
    start, end = span
    before, inside, after = raw[max(0, start - width) : start], raw[start:end], raw[end : end + width]
    return f"…{_cell(before)}<b>{_cell(inside)}</b>{_cell(after)}…"


_COLUMNS = ("indicator", "region", "region_code", "period", "period_start", "period_end", "value", "unit", "growth_pct",
            "qualifier")  # fmt: skip


def _article_html(n: int, doc: _Doc) -> str:
    out = [f'<script type="text/x-article" id="t{n}"><article data-doc="{n}">']
    out.append(f'<h2>{_cell(doc.doc_id)} <span class="badge s-{doc.status}">{doc.status}</span></h2>')
    out.append(f'<p class="muted">{_cell(doc.source)}</p>')
    for error in doc.errors:
        out.append(f'<p class="error">failed: {_cell(error)}</p>')
    raw = doc.raw
    if raw is None and (doc.records or doc.rejected):
        out.append('<p class="error">source not found among --sources: spans cannot be shown</p>')
    figures: list[tuple[int, int, int]] = []
    numbers: list[tuple[int, int]] = []
    for k, row in enumerate(doc.records):
        span, nums = _spans(row, len(raw)) if raw is not None else (None, [])
        if span is not None:
            figures.append((span[0], span[1], k))
            numbers.extend(nums)
    pins: list[tuple[int, int]] = []
    rejected_at: list[tuple[int, int] | None] = []
    for j, row in enumerate(doc.rejected):
        span, nums = _spans(row, len(raw)) if raw is not None else (None, [])
        at = span or (nums[0] if nums else None)
        rejected_at.append(at)
        if at is not None:
            pins.append((at[0], j))
    if raw is not None:
        out.append('<div class="views"><pre class="text raw" lang="zh">')
        out.append(_marked(raw, figures, numbers, pins))
        out.append('</pre><pre class="text cleaned" lang="zh" hidden>')
        cleaned = clean(raw)
        index = list(cleaned.index)

        def moved(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
            return [c for s in spans if (c := _to_cleaned(index, s)) is not None]

        c_figures = [(c[0], c[1], k) for s, e, k in figures if (c := _to_cleaned(index, (s, e))) is not None]
        c_pins = [(bisect_left(index, pos), j) for pos, j in pins]
        out.append(_marked(cleaned.text, c_figures, moved(numbers), c_pins))
        out.append("</pre></div>")
    out.append(f"<h3>Records ({len(doc.records)})</h3>")
    if doc.records:
        out.append('<table class="records"><thead><tr><th>#</th>')
        out.extend(f"<th>{c}</th>" for c in _COLUMNS)
        out.append("<th>checks</th></tr></thead><tbody>")
        for k, row in enumerate(doc.records):
            out.append(
                f'<tr class="rec" data-rec="{k}" data-indicator="{_attr(row.get("indicator"))}" '
                f'data-record="{_attr(row)}" tabindex="-1"><td>{k + 1}</td>'
            )
            out.extend(f"<td>{_cell(row.get(c))}</td>" for c in _COLUMNS)
            out.append(f"<td>{_checks_cell(row)}</td></tr>")
        out.append("</tbody></table>")
    if doc.rejected:
        out.append(f'<h3>Rejected ({len(doc.rejected)})</h3><ol class="rejected">')
        for j, row in enumerate(doc.rejected):
            reasons = row.get("reasons") or []
            what = " ".join(
                _cell(row.get(c)) for c in ("indicator", "period", "value", "unit") if row.get(c) is not None
            )
            growth = f" growth {_cell(row.get('growth_pct'))}%" if row.get("growth_pct") is not None else ""
            out.append(
                f'<li class="rej" data-rej="{j}" data-indicator="{_attr(row.get("indicator"))}" '
                f'data-record="{_attr(row)}"><b>{what}{growth}</b><br>'
                f'<span class="reason">{"；".join(_cell(r) for r in reasons)}</span><br>'
                f'<span class="near">{_near(raw, rejected_at[j])}</span></li>'
            )
        out.append("</ol>")
    out.append("</article>")
    markup = "".join(out)
    # Everything from the input is escaped, so no "</script" can stand in the markup; make sure.
    if "</script" in markup.lower():
        raise AssertionError("unescaped markup in the report")  # cannot happen: every input string is escaped
    return markup + "</script>"


def _docs(records: list[dict[str, Any]], rejected: list[dict[str, Any]], errors: list[dict[str, Any]],
          sources: Sequence[str | Path]) -> tuple[list[_Doc], list[str]]:  # fmt: skip
    docs: dict[str, _Doc] = {}
    notes: list[str] = []

    def doc(doc_id: Any) -> _Doc:
        key = str(doc_id)
        if key not in docs:
            docs[key] = _Doc(doc_id=key)
        return docs[key]

    for item in iter_articles(sources):
        if isinstance(item, InputError):
            notes.append(str(item))
            continue
        d = doc(item.doc_id)
        d.raw, d.source = item.text, item.source
    for row in records:
        doc(row.get("doc_id")).records.append(row)
    for row in rejected:
        doc(row.get("doc_id")).rejected.append(row)
    for row in errors:
        d = doc(row.get("doc_id") if row.get("doc_id") is not None else row.get("source"))
        d.errors.append(str(row.get("error", "")))
        d.source = d.source or str(row.get("source", ""))
    return list(docs.values()), notes


def build_report(
    records_path: Path,
    sources: Sequence[str | Path],
    *,
    rejected_path: Path | None = None,
    errors_path: Path | None = None,
    summary_path: Path | None = None,
    title: str | None = None,
) -> str:
    """The report's HTML for the run whose records are in ``records_path``."""
    default_rejected, default_errors = default_side_paths(records_path)
    records = read_rows(records_path)
    rejected = _read_optional(rejected_path or default_rejected)
    errors = _read_optional(errors_path or default_errors)
    summary: dict[str, Any] = {}
    if summary_path is not None:
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{summary_path}: cannot read the summary ({exc})") from None
    docs, notes = _docs(records, rejected, errors, sources)
    indicators = Counter(str(r.get("indicator")) for r in records + rejected)
    backends = sorted({str(r.get("backend")) for r in records + rejected if r.get("backend")})
    models = sorted({str(r.get("model")) for r in records + rejected if r.get("model")})
    index = [
        {
            "id": d.doc_id,
            "label": Path(d.doc_id).name or d.doc_id,  # a failed input with no doc_id goes by its path
            "status": d.status,
            "records": len(d.records),
            "rejected": len(d.rejected),
            "failed": bool(d.errors),
            "indicators": sorted({str(r.get("indicator")) for r in d.records + d.rejected}),
        }
        for d in docs
    ]
    head = {
        "articles": len(docs),
        "records": len(records),
        "rejected": len(rejected),
        "failed": sum(1 for d in docs if d.errors),
        "backend": ", ".join(backends) or "—",
        "model": ", ".join(models) or "—",
    }
    for key in ("prompt_tokens", "completion_tokens", "cost", "requests", "cache_hits"):
        if summary.get(key) is not None:
            head[key] = summary[key]
    page_title = title or f"llm-extract report: {records_path.name}"
    stats = "".join(
        f'<span class="stat"><b>{_cell(v)}</b> {_cell(k.replace("_", " "))}</span>' for k, v in head.items()
    )
    options = "".join(f'<option value="{html.escape(name, quote=True)}">{_cell(name)} ({count})</option>'
                      for name, count in indicators.most_common())  # fmt: skip
    body = "".join(_article_html(n, d) for n, d in enumerate(docs))
    tables_html, n_charts = _tables_html(records, docs)
    body += tables_html
    note_html = "".join(f"<li>{_cell(n)}</li>" for n in notes)
    data = json.dumps(index, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _PAGE.format(
        n_charts=n_charts,
        title=_cell(page_title),
        stats=stats,
        options=options,
        notes=f'<details class="notes"><summary>{len(notes)} source inputs could not be read</summary><ul>{note_html}'
        "</ul></details>"
        if notes
        else "",
        templates=body,
        data=data,
        css=_CSS,
        js=_JS,
    )


_TIDY_COLUMNS = ("region", "period", "indicator_canonical", "indicator", "value_base", "unit_base", "growth_pct")


def _tables_html(records: list[dict[str, Any]], docs: list[_Doc]) -> tuple[str, int]:
    """The Tables view as an inert template: each chart, then the table rows it draws (same order)."""
    where = {id(row): (n, k) for n, d in enumerate(docs) for k, row in enumerate(d.records)}
    table = tidy(records)

    def locate(row: Mapping[str, Any]) -> tuple[int, int] | None:
        first = row.get("records") or []
        return where.get(id(records[first[0]])) if first else None

    out = ['<script type="text/x-tables" id="tables"><section class="tables">']
    drawn = charts(table)
    out.append(
        f'<h2>Tables</h2><p class="muted">{len(table)} table rows; {len(drawn)} charts (canonical '
        "indicators with figures from two regions or two periods). Click a mark to open its figure.</p>"
    )
    for chart in drawn:
        out.append('<div class="chart-box">')
        out.append(render(chart, locate))
        out.append(f'<table class="tidy" data-indicator="{_attr(chart.indicator)}" data-measure="{chart.measure}">'
                   "<thead><tr>" + "".join(f"<th>{c}</th>" for c in (*_TIDY_COLUMNS, "conflict", "sources"))
                   + "</tr></thead><tbody>")  # fmt: skip
        for row in chart.rows:
            if (row.get("value_base") if chart.measure == "level" else row.get("growth_pct")) is None:
                continue
            n_k = locate(row)
            link = f' data-doc="{n_k[0]}" data-rec="{n_k[1]}"' if n_k else ""
            out.append(f'<tr class="trow{" conflict" if row.get("conflict") else ""}"{link}>'
                       + "".join(f"<td>{_cell(row.get(c))}</td>" for c in _TIDY_COLUMNS)
                       + f"<td>{'yes' if row.get('conflict') else ''}</td><td>{_cell(' '.join(row['sources']))}</td>"
                       "</tr>")  # fmt: skip
        out.append("</tbody></table></div>")
    others = sorted({str(indicator_of(r)) for r in table if not r.get("indicator_canonical")})
    if others:
        out.append(f'<p class="muted">Not charted (no canonical indicator): {_cell("、".join(others[:60]))}'
                   f"{' …' if len(others) > 60 else ''}</p>")  # fmt: skip
    out.append("</section>")
    markup = "".join(out)
    if "</script" in markup.lower():
        raise AssertionError("unescaped markup in the report")  # cannot happen: every input string is escaped
    return markup + "</script>", len(drawn)


def write_report(out: Path, page: str) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise ConfigError(f"{out}: cannot write here ({exc.strerror or exc})") from None


_CSS = """
:root{--fig:#fff3b0;--num:#ffd54f;--rej:#d32f2f;--sel:#1565c0;--muted:#666}
*{box-sizing:border-box}
body{margin:0;font:14px/1.6 "PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",
"WenQuanYi Micro Hei",system-ui,sans-serif;color:#222;display:grid;grid-template-columns:280px 1fr 320px;
grid-template-rows:auto 1fr;height:100vh}
header{grid-column:1/4;padding:8px 12px;border-bottom:1px solid #ddd;background:#fafafa}
header h1{font-size:16px;margin:0 0 4px}
.stat{margin-right:14px}.muted{color:var(--muted)}
.controls{margin-top:6px}.controls label{margin-right:12px}.controls select{max-width:260px}
nav{overflow:auto;border-right:1px solid #ddd}
nav ol{list-style:none;margin:0;padding:0}
nav li{padding:4px 10px;cursor:pointer;border-bottom:1px solid #f0f0f0;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
nav li.current{background:#e3f2fd}
nav li .c{color:var(--muted);font-size:12px}
main{overflow:auto;padding:0 16px 40px}
aside{overflow:auto;border-left:1px solid #ddd;padding:8px 12px;background:#fcfcfc}
aside dl{display:grid;grid-template-columns:auto 1fr;gap:2px 8px;margin:0}
aside dt{color:var(--muted)}aside dd{margin:0;word-break:break-all}
pre.text{white-space:pre-wrap;word-break:break-word;font:inherit;background:#fff;border:1px solid #eee;padding:10px}
mark.fig{background:var(--fig);cursor:pointer;border-radius:2px}
mark.fig.num{background:var(--num)}
mark.fig.dim{background:#eee}
mark.fig.selected{outline:2px solid var(--sel)}
.pin::after{content:"\\2691";color:var(--rej);cursor:pointer;font-size:12px;vertical-align:super}
table.records{border-collapse:collapse;width:100%;font-size:13px}
table.records td,table.records th{border:1px solid #e5e5e5;padding:2px 6px;text-align:left;vertical-align:top}
tr.rec{cursor:pointer}tr.rec.selected{background:#e3f2fd}tr.rec.hidden,li.rej.hidden{display:none}
.rejected li{margin-bottom:6px}.reason{color:var(--rej)}.error{color:var(--rej);font-weight:bold}
li.rej.selected{background:#fdecea}
.badge{font-size:12px;padding:1px 6px;border-radius:8px;background:#eee;vertical-align:middle}
.s-verified{background:#c8e6c9}.s-rejected{background:#ffe0b2}.s-failed{background:#ffcdd2}
.verdict.v-verified{color:#2e7d32}.verdict{color:var(--rej)}
kbd{border:1px solid #ccc;border-radius:3px;padding:0 3px;font-size:12px}
.chart-box{margin:12px 0 24px}svg.chart{border:1px solid #eee;background:#fff;display:block}
svg .axis{stroke:#999}svg .tick{font-size:11px;fill:#555}svg .ct{font-size:13px;font-weight:bold}
svg .mark{cursor:pointer}svg .mark.conflict{stroke:#d32f2f;stroke-width:2;stroke-dasharray:3 2}
svg .mark:focus,svg .mark:hover{stroke:#000;stroke-width:2}
table.tidy{border-collapse:collapse;font-size:12px;margin-top:4px}
table.tidy td,table.tidy th{border:1px solid #e5e5e5;padding:1px 5px}tr.trow{cursor:pointer}
tr.trow.conflict{background:#fdecea}button#tables-btn{margin-left:12px}
"""

_JS = r"""
(function(){
"use strict";
var INDEX = JSON.parse(document.getElementById("index").textContent);
var list = document.getElementById("docs"), view = document.getElementById("view");
var detail = document.getElementById("detail"), fInd = document.getElementById("f-indicator");
var fStatus = document.getElementById("f-status"), fCleaned = document.getElementById("f-cleaned");
var shown = [], current = -1, figure = -1;
function matches(d){
  var ind = fInd.value, st = fStatus.value;
  if (ind && d.indicators.indexOf(ind) < 0) return false;
  if (st === "failed") return d.failed;
  if (st === "rejected") return d.rejected > 0;
  if (st === "verified") return d.records > 0;
  if (st === "empty") return d.status === "empty";
  return true;
}
function buildList(){
  list.textContent = ""; shown = [];
  INDEX.forEach(function(d, n){
    if (!matches(d)) return;
    var li = document.createElement("li");
    li.dataset.n = n; li.title = d.id;
    li.appendChild(document.createTextNode(d.label + " "));
    var c = document.createElement("span"); c.className = "c";
    c.textContent = d.records + " ✓ " + d.rejected + " ✗" + (d.failed ? " failed" : "");
    li.appendChild(c);
    li.addEventListener("click", function(){ open(n); });
    list.appendChild(li); shown.push(n);
  });
  document.getElementById("shown").textContent = shown.length + " / " + INDEX.length + " articles";
  if (shown.length && shown.indexOf(current) < 0) open(shown[0]);
  else if (!shown.length) { view.textContent = "No article matches the filters."; current = -1; }
  else mark();
}
function mark(){
  Array.prototype.forEach.call(list.children, function(li){
    li.classList.toggle("current", +li.dataset.n === current);
  });
}
function open(n){
  current = n; figure = -1;
  // Our own markup, every input-derived string in it escaped when the page was written.
  view.innerHTML = document.getElementById("t" + n).textContent;
  view.scrollTop = 0; applyView(); applyIndicator(); mark(); showDetail(null);
}
function applyView(){
  var cleaned = fCleaned.checked;
  view.querySelectorAll("pre.raw").forEach(function(p){ p.hidden = cleaned; });
  view.querySelectorAll("pre.cleaned").forEach(function(p){ p.hidden = !cleaned; });
}
function applyIndicator(){
  var ind = fInd.value;
  view.querySelectorAll("tr.rec, li.rej").forEach(function(el){
    el.classList.toggle("hidden", !!ind && JSON.parse(el.dataset.indicator) !== ind);
  });
  view.querySelectorAll("mark.fig").forEach(function(m){
    var keep = !ind || m.dataset.recs.split(" ").some(function(k){
      var row = view.querySelector('tr.rec[data-rec="' + k + '"]');
      return row && !row.classList.contains("hidden");
    });
    m.classList.toggle("dim", !keep);
  });
}
function records(){ return Array.prototype.slice.call(view.querySelectorAll("tr.rec:not(.hidden)")); }
function select(k){
  view.querySelectorAll(".selected").forEach(function(el){ el.classList.remove("selected"); });
  var row = view.querySelector('tr.rec[data-rec="' + k + '"]');
  if (!row) return;
  row.classList.add("selected");
  var pre = view.querySelector("pre.text:not([hidden])"), first = null;
  if (pre) pre.querySelectorAll("mark.fig").forEach(function(m){
    if (m.dataset.recs.split(" ").indexOf(String(k)) >= 0) { m.classList.add("selected"); first = first || m; }
  });
  (first || row).scrollIntoView({block: "center"});
  if (first) first.focus({preventScroll: true});
  figure = records().indexOf(row);
  showDetail(JSON.parse(row.dataset.record));
}
function selectRejected(j){
  view.querySelectorAll(".selected").forEach(function(el){ el.classList.remove("selected"); });
  var li = view.querySelector('li.rej[data-rej="' + j + '"]');
  if (!li) return;
  li.classList.add("selected"); li.scrollIntoView({block: "center"});
  showDetail(JSON.parse(li.dataset.record));
}
var FIELDS = ["doc_id", "indicator", "indicator_canonical", "region", "region_code", "province", "city", "county",
              "period", "period_start", "period_end", "period_kind", "value", "unit", "growth_pct", "qualifier",
              "status", "evidence", "span", "reasons", "backend", "model", "mode", "prompt_hash", "schema_hash"];
function showDetail(rec){
  detail.textContent = "";
  if (!rec) { detail.textContent = "Click a highlighted figure, a record or a rejected record."; return; }
  var dl = document.createElement("dl");
  function add(k, v){
    var dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = k; dd.textContent = typeof v === "string" ? v : JSON.stringify(v);
    dl.appendChild(dt); dl.appendChild(dd);
  }
  FIELDS.forEach(function(k){ if (k in rec && rec[k] !== null) add(k, rec[k]); });
  (rec.checks || []).forEach(function(c){ add("check " + c.field, c.verdict + " — " + c.reason); });
  detail.appendChild(dl);
}
function openTables(){
  current = -1; figure = -1; mark();
  view.innerHTML = document.getElementById("tables").textContent;  // our own markup, inputs escaped
  view.scrollTop = 0; showDetail(null);
}
document.getElementById("tables-btn").addEventListener("click", openTables);
view.addEventListener("click", function(e){
  var chartMark = e.target.closest(".mark[data-doc], tr.trow[data-doc]");
  if (chartMark && chartMark.dataset.doc !== "") {
    var rec = +chartMark.dataset.rec; open(+chartMark.dataset.doc); select(rec); return;
  }
  var m = e.target.closest("mark.fig");
  if (m) { var ks = m.dataset.recs.split(" "); var i = ks.indexOf(view.dataset.last || "");
           var k = ks[(i + 1) % ks.length]; view.dataset.last = k; select(+k); return; }
  var p = e.target.closest(".pin"); if (p) { selectRejected(+p.dataset.rej); return; }
  var r = e.target.closest("tr.rec"); if (r) { select(+r.dataset.rec); return; }
  var l = e.target.closest("li.rej"); if (l) { selectRejected(+l.dataset.rej); }
});
function step(d){
  var rs = records(); if (!rs.length) return;
  figure = (figure + d + rs.length) % rs.length; select(+rs[figure].dataset.rec);
}
function stepDoc(d){
  if (!shown.length) return;
  var i = shown.indexOf(current); i = i < 0 ? 0 : (i + d + shown.length) % shown.length; open(shown[i]);
  var li = list.querySelector('li[data-n="' + shown[i] + '"]'); if (li) li.scrollIntoView({block: "nearest"});
}
document.addEventListener("keydown", function(e){
  if (e.target.tagName === "SELECT" || e.target.tagName === "INPUT" || e.ctrlKey || e.metaKey || e.altKey) return;
  var k = e.key;
  if (k === "n" || k === "ArrowRight") step(1);
  else if (k === "p" || k === "ArrowLeft") step(-1);
  else if (k === "j" || k === "ArrowDown") stepDoc(1);
  else if (k === "k" || k === "ArrowUp") stepDoc(-1);
  else if (k === "t") { fCleaned.checked = !fCleaned.checked; applyView(); }
  else if (k === "Escape") showDetail(null);
  else return;
  e.preventDefault();
});
fInd.addEventListener("change", function(){ buildList(); if (current >= 0) applyIndicator(); });
fStatus.addEventListener("change", buildList);
fCleaned.addEventListener("change", applyView);
buildList();
document.body.dataset.ready = "1";
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; img-src data:">
<title>{title}</title><style>{css}</style></head>
<body>
<header><h1>{title}</h1><div>{stats}</div>
<div class="controls">
<label>indicator <select id="f-indicator"><option value="">all</option>{options}</select></label>
<label>status <select id="f-status"><option value="">all</option><option value="verified">with verified records</option>
<option value="rejected">with rejected records</option><option value="failed">failed</option>
<option value="empty">no records</option></select></label>
<label><input type="checkbox" id="f-cleaned"> cleaned text (<kbd>t</kbd>)</label>
<span class="muted" id="shown"></span>
<button id="tables-btn" type="button">Tables ({n_charts} charts)</button>
<span class="muted">· <kbd>n</kbd>/<kbd>p</kbd> next/previous figure ·
<kbd>j</kbd>/<kbd>k</kbd> next/previous article</span>
</div>{notes}</header>
<nav><ol id="docs"></ol></nav>
<main id="view"></main>
<aside id="detail">Click a highlighted figure, a record or a rejected record.</aside>
{templates}
<script type="application/json" id="index">{data}</script>
<script>{js}</script>
</body></html>
"""
