"""Tables flattened one cell per line are read back into rows, and their records verified.
The tables are invented in the layout real statistical bulletins use."""

from __future__ import annotations

from llm_extract.backends.rules import RulesBackend
from llm_extract.figures.tables import find_rows
from llm_extract.pipeline import extract

BULLETIN = """某市2023年国民经济和社会发展统计公报
全年全市地区生产总值1234.5亿元，比上年增长5.2%。规模以上工业主要产品产量见下表。
表1 主要工业产品产量
单位：万吨
产品名称
产量
比上年增长%
粗钢
512.6
3.1
水泥
301.5
-4.2
表2 能源生产
指标
单位
绝对数
比上年增长%
发电量
亿千瓦时
86
-2.3
原油
万吨
12.5
1.1
全年全社会用电量增长4.4%。
"""


def test_rows_take_label_unit_level_and_growth_from_their_table():
    rows = {r.label: r for r in find_rows(BULLETIN)}
    assert set(rows) == {"粗钢", "水泥", "发电量", "原油"}
    assert (rows["粗钢"].unit, rows["粗钢"].value, rows["粗钢"].growth_pct) == ("万吨", 512.6, 3.1)  # caption unit
    assert (rows["水泥"].value, rows["水泥"].growth_pct) == (301.5, -4.2)
    assert (rows["发电量"].unit, rows["发电量"].value, rows["发电量"].growth_pct) == ("亿千瓦时", 86.0, -2.3)
    for row in rows.values():
        assert BULLETIN[row.span[0] : row.span[1]].startswith(row.label)


def test_table_rows_become_verified_records_pointing_at_their_cells():
    result = extract(BULLETIN, backend=RulesBackend())
    by_indicator = {r["indicator"]: r for r in result.records}
    assert by_indicator["发电量"]["value"] == 86.0 and by_indicator["发电量"]["growth_pct"] == -2.3
    assert by_indicator["粗钢"]["unit"] == "万吨" and by_indicator["粗钢"]["period"] == "2023年"
    for record in result.records:
        assert BULLETIN[record["span"][0] : record["span"][1]] == record["evidence"]
    assert not result.rejected


def test_prose_and_lists_are_not_tables():
    text = "全市经济稳步增长。\n增长\n比上年\n今年以来，全市工业增加值增长5%。\n指标\n完成情况良好"
    assert find_rows(text) == []
