"""The HTML review report, read back with an HTML parser: highlights at the right spans, rejected and
failed articles listed, everything from the input escaped, nothing fetched from the network."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from llm_extract.cli import cli
from llm_extract.run.report import build_report, read_rows

HOSTILE = (
    "全市完成固定资产投资68.6亿元，同比增长11.0%。<script>window.__pwned=1</script>"
    '<img src=x onerror="window.__pwned=2"></template></pre>{{ chunk }}&amp;'
    "社会消费品零售总额52.3亿元，下降2.1%。"
)


class Page(HTMLParser):
    """Collects, per article template: the raw and cleaned text, and which records cover which offsets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.articles: dict[str, dict[str, Any]] = {}
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.article: str | None = None
        self.view: str | None = None
        self.scripts = 0
        self.external: list[str] = []
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.rejected: dict[str, list[dict[str, Any]]] = {}
        self.errors: dict[str, list[str]] = {}
        self.pins: dict[str, list[tuple[str, int]]] = {}
        self._error: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.stack.append((tag, a))
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(f"{tag} {key}={a[key]}")
        if tag == "script":
            self.scripts += 1
        if tag == "template":
            self.article = str(a["id"])
            self.articles[self.article] = {"raw": "", "cleaned": "", "marks": {"raw": {}, "cleaned": {}}}
            self.rows[self.article], self.rejected[self.article] = [], []
            self.errors[self.article], self.pins[self.article] = [], []
        elif tag == "pre" and self.article:
            self.view = "cleaned" if "cleaned" in (a.get("class") or "") else "raw"
        elif tag == "tr" and "rec" in (a.get("class") or "").split():
            self.rows[str(self.article)].append(json.loads(str(a["data-record"])))
        elif tag == "li" and "rej" in (a.get("class") or "").split():
            self.rejected[str(self.article)].append(json.loads(str(a["data-record"])))
        elif tag == "span" and "pin" in (a.get("class") or "").split() and self.view:
            pos = len(self.articles[str(self.article)][self.view])
            self.pins[str(self.article)].append((self.view, pos))
        elif tag == "p" and "error" in (a.get("class") or "").split():
            self._error = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "pre":
            self.view = None
        elif tag == "template":
            self.article = None
        elif tag == "p" and self._error is not None:
            self.errors[str(self.article)].append("".join(self._error))
            self._error = None

    def handle_data(self, data: str) -> None:
        if self._error is not None:
            self._error.append(data)
        if not (self.article and self.view):
            return
        art = self.articles[self.article]
        start = len(art[self.view])
        art[self.view] += data
        for tag, a in self.stack:
            if tag == "mark":
                for k in str(a["data-recs"]).split():
                    art["marks"][self.view].setdefault(int(k), set()).update(range(start, start + len(data)))


def _run(tmp_path: Path, *extra: str) -> Path:
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    (src / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (src / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["run", str(src), "-o", str(out), "--backend", "rules", "-q", *extra])
    assert result.exit_code == 1, result.output  # empty.txt fails
    return out


def _rejected_row(doc_id: str, raw: str) -> dict[str, Any]:
    start = raw.index("52.3")
    return {
        "doc_id": doc_id, "indicator": "社会消费品零售总额", "value": 99.9, "unit": "亿元", "growth_pct": None,
        "status": "rejected", "reasons": ["原文中没有“99.9亿元”；附近原文中的数字有：52.3亿元"],
        "checks": [{"field": "value", "claimed": 99.9, "verdict": "not_in_source", "reason": "x",
                    "span": [start, start + 6]}],
    }  # fmt: skip


@pytest.fixture
def report(tmp_path: Path) -> tuple[Page, Path]:
    out = _run(tmp_path)
    raw = (tmp_path / "src" / "hostile.txt").read_text(encoding="utf-8")
    rejected = tmp_path / "out.rejected.jsonl"
    rejected.write_text(json.dumps(_rejected_row("hostile", raw), ensure_ascii=False) + "\n", encoding="utf-8")
    page = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(out), "--sources", str(tmp_path / "src"), "-o", str(page)])
    assert result.exit_code == 0, result.output
    parsed = Page()
    parsed.feed(as_templates(page.read_text(encoding="utf-8")))
    return parsed, tmp_path


def as_templates(page: str) -> str:
    """The page with each article's inert script turned into a template, so its markup is parsed."""
    return re.sub(r'<script type="text/x-article" id="(t\d+)">(.*?)</script>', r'<template id="\1">\2</template>', page,
                  flags=re.DOTALL)  # fmt: skip


def _template_of(parsed: Page, doc_id: str) -> str:
    for n, rows in parsed.rows.items():
        if any(r["doc_id"] == doc_id for r in rows + parsed.rejected[n]):
            return n
    raise AssertionError(f"{doc_id} not in the report")


def test_every_verified_record_is_highlighted_exactly_at_its_span(report):
    parsed, tmp_path = report
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) > 100
    raws = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "src").glob("*.txt")}
    checked = 0
    for n, rows in parsed.rows.items():
        if not rows:
            continue
        art = parsed.articles[n]
        raw = raws[rows[0]["doc_id"]]
        assert art["raw"] == raw  # the page shows the raw text unaltered (pins add no characters)
        for k, row in enumerate(rows):
            start, end = row["span"]
            assert art["marks"]["raw"].get(k) == set(range(start, end)), (row["doc_id"], k)
            checked += 1
    assert checked == len(records)


def test_cleaned_view_highlights_the_same_text(report):
    parsed, _ = report
    n = _template_of(parsed, "hostile")
    art, rows = parsed.articles[n], parsed.rows[n]
    for k, row in enumerate(rows):
        covered = sorted(art["marks"]["cleaned"][k])
        assert art["cleaned"][covered[0] : covered[-1] + 1].replace("，", ",") == row["evidence"].replace("，", ",")


def test_rejected_records_are_listed_with_reasons_and_pinned_near_their_text(report):
    parsed, _ = report
    n = _template_of(parsed, "hostile")
    assert [r["value"] for r in parsed.rejected[n]] == [99.9]
    raw = parsed.articles[n]["raw"]
    assert ("raw", raw.index("52.3")) in parsed.pins[n]


def test_failed_articles_show_their_error(report):
    parsed, _ = report
    failed = [e for errs in parsed.errors.values() for e in errs if e.startswith("failed:")]
    assert len(failed) == 1 and "empty" in failed[0]


def test_article_text_is_escaped_and_the_page_fetches_nothing(report):
    parsed, tmp_path = report
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert parsed.scripts == 3  # the index data, the inert Tables template and the page's own script
    tags = re.findall(r"<script[^>]*>", page)
    live = [t for t in tags if 'type="text/x-article"' not in t and 'type="text/x-tables"' not in t]
    assert len(live) == 2  # the rest are inert article and table markup
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert parsed.external == []  # no src= or href= anywhere: no network, no file references
    n = _template_of(parsed, "hostile")
    assert parsed.articles[n]["raw"] == HOSTILE


def test_csv_and_jsonl_runs_give_the_same_report(tmp_path):
    out = _run(tmp_path)
    other = tmp_path / "csv"
    other.mkdir()
    src = tmp_path / "src"
    assert CliRunner().invoke(cli, ["run", str(src), "-o", str(other / "out.csv"), "--backend", "rules", "-q"])
    a = build_report(out, [src], title="t")
    b = build_report(other / "out.csv", [src], title="t")
    pa, pb = Page(), Page()
    pa.feed(as_templates(a))
    pb.feed(as_templates(b))
    assert pa.articles == pb.articles and len(pa.rows) == len(pb.rows)


def test_a_record_whose_source_is_missing_is_still_listed(tmp_path):
    out = tmp_path / "o.jsonl"
    row = {"doc_id": "gone", "indicator": "出口额", "value": 5.0, "unit": "亿元", "span": [0, 4], "evidence": "出口5亿"}
    out.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    page = build_report(out, [SEEDS])
    assert "source not found among --sources" in page and "出口额" in page


def test_bad_records_file_is_a_clear_error(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text('{"doc_id": "a"}\n{oops\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(out), "--sources", str(SEEDS), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "o.jsonl:2: not valid JSON" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r.html").exists()


def test_the_tables_view_has_one_chart_per_charted_indicator_and_a_mark_per_row(tmp_path):
    from llm_extract.run.charts import charts
    from llm_extract.run.tidy import tidy

    out = _run(tmp_path)
    page = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["report", str(out), "--sources", "seeds", "-o", str(page)]).exit_code == 0
    html_text = page.read_text(encoding="utf-8")
    template = html_text.split('<script type="text/x-tables" id="tables">', 1)[1].split("</script>", 1)[0]
    expected = charts(tidy(read_rows(out)))
    assert expected and template.count("<svg") == len(expected)
    assert f"Tables ({len(expected)} charts)" in html_text
    boxes = template.split('<div class="chart-box">')[1:]
    for box, chart in zip(boxes, expected, strict=True):
        assert box.count('class="mark') == box.count('<tr class="trow') == len(chart.rows)
        assert all(f'data-doc="{d}"' in box for d in re.findall(r'data-doc="(\d+)"', box))
