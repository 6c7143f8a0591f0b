"""From records to a table: base units for every unit of the gold files, conflicts kept, the CLI."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from llm_extract.cli import cli
from llm_extract.run.output import read_records
from llm_extract.run.tidy import TABLE_FIELDS, tidy, value_base, wide

# Every unit written in the three gold files, with its base unit (worked out by hand).
GOLD_UNITS = [
    (None, 5, 5, None), ("亿元", 68.6, 6.86e9, "元"), ("%", 11.0, 11.0, "%"), ("个", 39, 39, "个"),
    ("家", 321, 321, "家"), ("个百分点", 2.1, 2.1, "个百分点"), ("万亩", 13, 1.3e5, "亩"),
    ("万人次", 5.52, 55200, "人次"), ("万人", 25, 2.5e5, "人"), ("万元", 127.8, 1.278e6, "元"),
    ("万平方米", 48, 4.8e5, "平方米"), ("万亿元", 1.2, 1.2e12, "元"), ("万家", 6, 6e4, "家"),
    ("万辆", 4, 4e4, "辆"), ("万吨", 512.6, 5.126e6, "吨"), ("人", 24, 24, "人"), ("亿美元", 74, 7.4e9, "美元"),
    ("项", 17, 17, "项"), ("万套", 3, 3e4, "套"), ("成", 7, 70, "%"), ("万个", 2, 2e4, "个"), ("名", 3000, 3000, "名"),
    ("吨", 3, 3, "吨"), ("种", 11, 11, "种"), ("亿吨", 1.5, 1.5e8, "吨"), ("天", 38, 38, "天"), ("次", 5, 5, "次"),
    ("大", 8, 8, "大"), ("人次", 300, 300, "人次"), ("亿斤", 1.3, 1.3e8, "斤"), ("万户", 31.8, 3.18e5, "户"),
    ("所", 100, 100, "所"), ("亿人次", 2.5, 2.5e8, "人次"), ("万", 5378, 5.378e7, None), ("元", 1.8, 1.8, "元"),
    ("分", 20, 20, "分"), ("个工作日", 10, 10, "个工作日"), ("亿欧元", 457, 4.57e10, "欧元"),
    ("万美元", 3000, 3e7, "美元"), ("套", 2, 2, "套"), ("场", 7, 7, "场"), ("万台", 2, 2e4, "台"),
    ("公里", 600, 600, "公里"), ("万公里", 1.2, 1.2e4, "公里"), ("条", 28, 28, "条"), ("起", 3, 3, "起"),
    ("万千瓦", 120, 1.2e6, "千瓦"), ("千亿元", 4, 4e11, "元"), ("倍", 1.7, 1.7, "倍"), ("台", 6, 6, "台"),
    ("万方", 25, 2.5e5, "方"), ("亿", 3, 3e8, None), ("美元", 8.18, 8.18, "美元"), ("公顷", 20, 20, "公顷"),
    ("户", 943, 943, "户"), ("辆", 31, 31, "辆"), ("亿港元", 5000, 5e11, "港元"), ("间", 3, 3, "间"),
    ("架", 31, 31, "架"), ("堂", 4, 4, "堂"), ("t/d", 6200, 6200, "t/d"), ("支", 53, 53, "支"),
    ("万列", 1.5, 1.5e4, "列"), ("平方公里", 3.2, 3.2, "平方公里"), ("亿度", 2, 2e8, "千瓦时"),
    ("班次", 12, 12, "班次"),
    ("万张", 1, 1e4, "张"), ("市（州）", 21, 21, "市（州）"), ("年", 22.8, 22.8, "年"), ("万台(套)", 2, 2e4, "台(套)"),
    ("万件", 3, 3e4, "件"), ("万座", 1.1, 1.1e4, "座"), ("万场次", 2, 2e4, "场次"), ("亩", 500, 500, "亩"),
    ("席", 6, 6, "席"), ("亿千瓦时", 86, 8.6e9, "千瓦时"), ("座", 4, 4, "座"), ("美分", 9, 0.09, "美元"),
    ("万立方公尺", 6, 6e4, "立方米"), ("列", 2, 2, "列"), ("元/公斤", 1.8, 1.8, "元/公斤"),
    ("亿辆次", 1.2, 1.2e8, "辆次"),
    ("件", 18, 18, "件"), ("栋", 17, 17, "栋"), ("块", 39, 39, "块"), ("张", 3, 3, "张"), ("批", 2, 2, "批"),
]  # fmt: skip


@pytest.mark.parametrize(("unit", "value", "base", "base_unit"), GOLD_UNITS)
def test_value_base_for_every_unit_of_the_gold_files(unit, value, base, base_unit):
    assert value_base(value, unit) == (base, base_unit)


def test_the_list_covers_every_gold_unit():
    from conftest import ROOT

    written = set()
    for path in (ROOT / "eval" / "seeds.gold.jsonl", ROOT / "eval" / "dev" / "gold.jsonl",
                 ROOT / "eval" / "dev2" / "gold.jsonl"):  # fmt: skip
        written |= {json.loads(line)["unit"] for line in path.read_text(encoding="utf-8").splitlines()}
    assert written <= {unit for unit, *_ in GOLD_UNITS}


def _record(doc, value, unit, growth=None, indicator="固定资产投资", region="大连市甘井子区", code="210211"):
    return {"doc_id": doc, "indicator": indicator, "region": region, "region_code": code, "period": "2022年一季度",
            "period_start": "2022-01", "period_end": "2022-03", "value": value, "unit": unit, "growth_pct": growth,
            "span": [0, 10], "status": "verified"}  # fmt: skip


def test_the_same_figure_from_two_articles_is_one_row_and_different_ones_conflict():
    rows = tidy([_record("a", 68.6, "亿元", 11.0), _record("b", 686000, "万元", 11.0), _record("c", 70, "亿元", 11.0)])
    assert len(rows) == 2
    same = next(r for r in rows if r["value_base"] == 6.86e9)
    assert same["sources"] == ["a:0-10", "b:0-10"] and same["conflict"]
    assert all(r["conflict"] for r in rows)  # 68.6亿 against 70亿: both kept, flagged, never averaged


def test_a_level_and_a_rate_of_one_cell_do_not_conflict():
    rows = tidy([_record("a", 68.6, "亿元"), _record("a", None, None, 11.0)])
    assert len(rows) == 2 and not any(r["conflict"] for r in rows)
    (line,) = wide(rows)
    assert line["固定资产投资 (元)"] == 6.86e9 and line["固定资产投资 增速(%)"] == 11.0


def test_table_command_over_a_run(tmp_path):
    runner = CliRunner()
    out = tmp_path / "seeds.csv"
    assert runner.invoke(cli, ["run", "seeds", "-o", str(out), "--backend", "rules", "-q"]).exit_code == 0
    records = read_records(out)  # the CSV read back with typed columns
    assert records and isinstance(records[0]["value"], float | None) and isinstance(records[0]["span"], list)
    table = tmp_path / "table.csv"
    result = runner.invoke(cli, ["table", str(out), "-o", str(table)])
    assert result.exit_code == 0, result.output
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(len(json.loads(r["records"])) for r in rows) == len(records)  # every record accounted for
    first = next(r for r in rows if r["indicator"] == "固定资产投资" and r["value_base"])
    assert float(first["value_base"]) == 6.86e9 and first["unit_base"] == "元" and first["region_code"] == "210211"


def test_table_as_xlsx_and_clear_errors_for_bad_names(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="the xlsx extra is not installed")
    runner = CliRunner()
    out = tmp_path / "seeds.jsonl"
    assert runner.invoke(cli, ["run", "seeds", "-o", str(out), "--backend", "rules", "-q"]).exit_code == 0
    book = tmp_path / "table.xlsx"
    result = runner.invoke(cli, ["table", str(out), "-o", str(book), "--indicator", "固定资产投资"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(book).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[: len(TABLE_FIELDS)] == TABLE_FIELDS
    body = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert body and {r["indicator_canonical"] for r in body} == {"固定资产投资"}
    bad = runner.invoke(cli, ["table", str(out), "-o", str(tmp_path / "table.txt")])
    assert bad.exit_code == 2 and "tables are written as .csv, .jsonl, .parquet or .xlsx" in bad.output
    assert "Traceback" not in bad.output
