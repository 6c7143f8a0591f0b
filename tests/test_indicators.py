"""Canonical indicators: the taxonomy, the mapping against the hand-made key, and its use in records and tables."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import ROOT

from llm_extract import extract
from llm_extract.attributes.indicators import _norm, canonical_indicator, taxonomy
from llm_extract.run.tidy import tidy

KEY_FILE = ROOT / "tests" / "indicator_key.tsv"


def answer_key() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for line in KEY_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, canonical = line.split("\t")
            out[name] = None if canonical == "-" else canonical
    return out


def test_the_taxonomy_is_well_formed():
    indicators = taxonomy()
    assert len(indicators) >= 40
    for indicator in indicators.values():
        assert indicator.kind in {"level", "rate", "index", "count", "share"}
        assert indicator.parent is None or indicator.parent in indicators, indicator.name
    names = Counter(_norm(w) for i in indicators.values() for w in {i.name, *i.synonyms})
    assert [w for w, n in names.items() if n > 1] == []  # a synonym names one statistic only
    headline = ["地区生产总值", "第一产业增加值", "规模以上工业增加值", "固定资产投资", "社会消费品零售总额",
                "货物进出口总额", "实际使用外资", "一般公共预算收入", "居民消费价格指数", "金融机构本外币存款余额",
                "房地产开发投资", "商品房销售面积", "发电量", "全社会用电量", "粮食产量", "接待游客",
                "城镇新增就业"]  # fmt: skip
    assert set(headline) <= set(indicators)


def test_the_key_covers_every_gold_indicator_string():
    import json

    gold = {json.loads(x)["indicator"] for f in ("eval/seeds.gold.jsonl", "eval/dev/gold.jsonl", "eval/dev2/gold.jsonl")
            for x in (ROOT / f).read_text(encoding="utf-8").splitlines() if x.strip()}  # fmt: skip
    key = answer_key()
    assert gold == set(key)
    assert {c for c in key.values() if c} <= set(taxonomy())


def test_gold_indicator_strings_map_as_the_key_says():
    key = answer_key()
    wrong = {name: (canonical, canonical_indicator(name)) for name, canonical in key.items()
             if canonical_indicator(name) != canonical}  # fmt: skip
    assert len(wrong) <= 0.01 * len(key), wrong
    forced = {name: got for name, (want, got) in wrong.items() if want is None}
    assert forced == {}  # never a canonical name where none fits


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("固定资产投资", "固定资产投资"),
        ("全区固定资产投资", "固定资产投资"),
        ("固投", "固定资产投资"),
        ("完成固定资产投资额", "固定资产投资"),
        ("大连市甘井子区规模以上工业增加值增速", "规模以上工业增加值"),
        ("GDP", "地区生产总值"),
        ("外贸进出口总值", "货物进出口总额"),
        ("居民消费价格指数（CPI）", "居民消费价格指数"),
        ("首两月社会消费品零售总额", "社会消费品零售总额"),
        ("固定资产投资两年平均增速", None),
        ("地区生产总值占全国比重", None),
        ("人均GDP", None),
        ("重大项目计划投资", None),
        ("新能源汽车产量", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_indicator(written, canonical):
    assert canonical_indicator(written) == canonical


def test_records_carry_the_canonical_indicator_next_to_the_written_one():
    text = "2023年05月10日 来源:示例日报\n全市完成固定资产投资68.6亿元，同比增长11.0%。全市固投增长5%的说法不对。"
    records = extract(text).records
    assert records and all("indicator_canonical" in r for r in records)
    first = records[0]
    assert first["indicator_canonical"] == "固定资产投资" and first["indicator"] != ""


def test_a_table_puts_synonyms_in_one_column():
    rows = [
        {"doc_id": "a", "indicator": "固投", "indicator_canonical": "固定资产投资", "region": "大连市",
         "region_code": "210200", "period": "2022年", "period_start": "2022-01", "period_end": "2022-12",
         "value": 68.6, "unit": "亿元", "span": [0, 5]},
        {"doc_id": "b", "indicator": "全市固定资产投资", "indicator_canonical": "固定资产投资", "region": "大连市",
         "region_code": "210200", "period": "2022年", "period_start": "2022-01", "period_end": "2022-12",
         "value": 68.6, "unit": "亿元", "span": [3, 9]},
    ]  # fmt: skip
    table = tidy(rows)
    assert len(table) == 1 and table[0]["indicator_canonical"] == "固定资产投资"
    assert table[0]["sources"] == ["a:0-5", "b:3-9"] and not table[0]["conflict"]
    assert tidy(rows, indicators=["固定资产投资"]) == table


def test_tidy_frame_and_check_rows_carry_the_canonical_indicator(tmp_path):
    pandas = pytest.importorskip("pandas", reason="pandas is not installed")
    from llm_extract import tidy_frame
    from llm_extract.figures.check import check_rows

    records = [r for r in extract((ROOT / "seeds" / "000_ba67efb076b739e5.txt").read_text(encoding="utf-8")).records]
    frame = tidy_frame(records)
    assert isinstance(frame, pandas.DataFrame) and "固定资产投资" in set(frame["indicator_canonical"].dropna())
    assert list(tidy_frame(records, pivot=True).columns[:2]) == ["region", "region_code"]
    (tmp_path / "a.txt").write_text("全市完成固定资产投资68.6亿元。", encoding="utf-8")
    row = {"doc_id": "a", "indicator": "全市固投", "value": 68.6, "unit": "亿元"}
    (checked,) = list(check_rows([json.dumps(row, ensure_ascii=False)], tmp_path))
    assert checked["indicator_canonical"] == "固定资产投资"
