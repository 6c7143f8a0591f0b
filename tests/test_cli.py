"""The CLI: run on folders with bad inputs, check, eval, exit codes; no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SEED_GOLD, SEEDS

from llm_extract.cli import cli


def _jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_run_on_seeds_offline_writes_verified_records(tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        ["run", str(SEEDS), "-o", str(out), "--summary", str(tmp_path / "s.json")],
        env={"LLM_EXTRACT_BASE_URL": "", "LLM_EXTRACT_API_KEY": "", "OPENAI_API_KEY": ""},
    )
    assert result.exit_code == 0, result.output
    assert "offline rules backend" in result.output
    rows = _jsonl(out)
    assert len(rows) > 100
    raws = {p.stem: p.read_bytes().decode("utf-8") for p in SEEDS.glob("*.txt")}
    for row in rows:
        assert raws[row["doc_id"]][row["span"][0] : row["span"][1]] == row["evidence"]
        assert row["backend"] == "rules"
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["articles"] == 5 and summary["succeeded"] == 5 and summary["records"] == len(rows)


def test_bad_inputs_are_reported_and_the_rest_done(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("全市完成固定资产投资68.6亿元,同比增长11.0%。", encoding="utf-8")
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (src / "batch.jsonl").write_text('{"id": "j1", "text": "出口额5亿元。"}\n{oops\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["run", str(src), "-o", str(out), "--backend", "rules"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = _jsonl(tmp_path / "out.errors.jsonl")
    sources = sorted(e["source"].rsplit("/", 1)[-1] for e in errors)
    assert sources == ["batch.jsonl:2", "binary.txt", "empty.txt"]
    assert {r["doc_id"] for r in _jsonl(out)} == {"good", "j1"}
    assert "5 articles: 2 done, 3 failed" in result.output


def test_openai_backend_without_endpoint_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["run", str(SEEDS), "-o", str(tmp_path / "o.jsonl"), "--backend", "openai"],
        env={"LLM_EXTRACT_BASE_URL": "", "LLM_EXTRACT_API_KEY": "", "OPENAI_API_KEY": ""},
    )
    assert result.exit_code == 2
    assert "set LLM_EXTRACT_BASE_URL" in result.output


def test_unknown_output_format_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(tmp_path / "o.xml"), "--backend", "rules"])
    assert result.exit_code == 2 and "use .jsonl, .csv or .parquet" in result.output


def test_csv_output_has_bom_and_header(tmp_path):
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(out), "--backend", "rules", "-q"])
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeffdoc_id,indicator,")
    assert "固定资产投资" in text


def test_parquet_output_holds_the_same_records_as_jsonl(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="the parquet extra (pyarrow) is not installed")
    for name in ("j.jsonl", "o.parquet"):
        result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(tmp_path / name), "--backend", "rules", "-q"])
        assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.schema.field("value").type == "double" and table.schema.field("span").type == "string"
    got = table.to_pylist()
    want = _jsonl(tmp_path / "j.jsonl")
    assert len(got) == len(want) > 100
    for g, w in zip(got, want, strict=True):
        assert g["doc_id"] == w["doc_id"] and g["indicator"] == w["indicator"] and g["evidence"] == w["evidence"]
        assert g["value"] == w["value"] and g["growth_pct"] == w["growth_pct"]
        assert json.loads(g["span"]) == w["span"] and json.loads(g["checks"]) == w["checks"]
    # the records log the Parquet file was built from, and no temporary file left behind
    assert len(_jsonl(tmp_path / "o.records.jsonl")) == len(want)
    assert not list(tmp_path.glob(".*.tmp"))


def test_parquet_resume_rebuilds_the_file_from_the_records_log(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="the parquet extra (pyarrow) is not installed")
    out = tmp_path / "o.parquet"
    args = ["run", str(SEEDS), "-o", str(out), "--backend", "rules", "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    first = pq.read_table(out).to_pylist()
    # a run killed after two articles: its journal names two, its log holds their lines and half a line
    journal = (tmp_path / "o.journal.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    log = tmp_path / "o.records.jsonl"
    kept = {json.loads(line)["doc_id"] for line in journal[:2]}
    rows = [line for line in log.read_text(encoding="utf-8").splitlines(keepends=True)]
    log.write_text("".join(r for r in rows if json.loads(r)["doc_id"] in kept) + rows[-1][:40], encoding="utf-8")
    (tmp_path / "o.journal.jsonl").write_text("".join(journal[:2]), encoding="utf-8")
    out.unlink()
    result = CliRunner().invoke(cli, args[:-1])
    assert result.exit_code == 0 and "resuming: 2 articles" in result.output
    again = pq.read_table(out).to_pylist()
    key = lambda r: (r["doc_id"], r["span"], r["indicator"])  # noqa: E731
    assert sorted(again, key=key) == sorted(first, key=key)


def test_parquet_without_pyarrow_is_a_usage_error_naming_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    result = CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(tmp_path / "o.parquet"), "--backend", "rules"])
    assert result.exit_code == 2
    assert "llm-extract[parquet]" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.records.jsonl").exists()


def test_check_writes_one_row_per_input_row_in_order(tmp_path):
    rows = [
        {
            "doc_id": "000_ba67efb076b739e5",
            "indicator": "固定资产投资",
            "value": 68.6,
            "unit": "亿元",
            "growth_pct": 11.0,
        },
        {
            "doc_id": "000_ba67efb076b739e5",
            "indicator": "固定资产投资",
            "value": 68.6,
            "unit": "亿美元",
            "growth_pct": 11.0,
        },
        {"doc_id": "nope", "indicator": "x", "value": 1, "unit": "元"},
        {"doc_id": "000_ba67efb076b739e5", "indicator": "固定资产投资", "value": "lots"},
    ]
    src = tmp_path / "records.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "checked.jsonl"
    result = CliRunner().invoke(cli, ["check", str(src), "--sources", str(SEEDS), "-o", str(out)])
    assert result.exit_code == 1
    got = _jsonl(out)
    assert [r["status"] for r in got] == ["verified", "rejected", "rejected", "rejected", "rejected"]
    raw = (SEEDS / "000_ba67efb076b739e5.txt").read_text(encoding="utf-8")
    assert raw[got[0]["span"][0] : got[0]["span"][1]] == got[0]["evidence"]
    assert got[1]["checks"][0]["verdict"] == "currency_mismatch"
    assert "no source file" in got[2]["reasons"][0]
    assert "value must be a number" in got[3]["reasons"][0]


def test_eval_reports_scores(tmp_path):
    pred = tmp_path / "pred.jsonl"
    CliRunner().invoke(cli, ["run", str(SEEDS), "-o", str(pred), "--backend", "rules", "-q"])
    result = CliRunner().invoke(cli, ["eval", str(SEED_GOLD), str(pred), "--json"])
    assert result.exit_code == 0
    score = json.loads(result.output)
    assert score["f1"] >= 0.85 and len(score["docs"]) == 5


def test_console_script_turns_errors_into_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "llm_extract", "eval", str(tmp_path / "missing.jsonl"), str(SEED_GOLD)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "missing.jsonl" in proc.stderr
