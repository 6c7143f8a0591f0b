"""The rules backend's grammar, one rule at a time, on invented sentences."""

from __future__ import annotations

from llm_extract.backends.rules import Candidate, extract_candidates
from llm_extract.text.context import read_context


def _candidates(body: str) -> list[Candidate]:
    text = "示例市经济运行\n" + body + "\n"
    return extract_candidates(text, read_context(text))


def _by_value(body: str) -> dict[float | None, Candidate]:
    return {c.value if c.value is not None else c.growth_pct: c for c in _candidates(body)}


def test_a_round_figure_before_names_the_exact_one_after_it():
    found = _by_value("前三季度，示例市规模以上工业总产值突破万亿，达10051.6亿元，同比增长9.6%。")
    assert found[10051.6].indicator == "规模以上工业总产值" and found[10051.6].growth_pct == 9.6


def test_a_percent_reached_by_growth_or_of_an_amount_is_a_growth_rate():
    found = _by_value("全市地区生产总值两年平均增长达到4.5%。地区生产总值增长7%以上、力争达到8%。")
    assert found[4.5].value is None and found[4.5].growth_pct == 4.5
    assert found[8].value is None and found[8].growth_pct == 8 and "地区生产总值" in found[8].indicator
    share = _by_value("数字经济增加值占地区生产总值的比重达到48.6%。")
    assert share[48.6].value == 48.6 and share[48.6].unit == "%"  # a share stays a level


def test_loose_figures_cases_and_list_totals_are_not_records():
    assert _candidates("他的年薪超过50万，家里还有20万存款。") == []  # 万 with no unit
    assert _candidates("全市新增确诊病例10例。") == []  # cases of illness
    assert _candidates("白血病、肾透析、血友病等11种大病纳入报销。") == []  # how many kinds a list names
    assert [c.value for c in _candidates("全市新增市场主体11种类型，共1.2万家。")] == [11, 1.2]  # not after a list


def test_a_count_of_the_whole_set_of_places_is_not_a_figure_but_a_count_with_a_property_is():
    assert _candidates("全国31个省份公布了数据，示例省21个地级市均已公布。") == []
    found = _candidates("其中，14个地级市前三季度地区生产总值增速超过全国。")
    assert [c.value for c in found if c.value is not None] == [14]


def test_a_duration_is_a_figure_only_where_its_clause_names_what_it_measures():
    assert [c.value for c in _candidates("规模以上工业企业应收账款平均回收期为38天。")] == [38]
    assert _candidates("文化节历时5个月，出口连续6个月增长。") == []


def test_amounts_after_fenbie_take_the_items_listed_before_it_in_order():
    found = _candidates(
        "其中，集成电路、笔记本电脑、太阳能电池分别出口1493.7亿元、1109.9亿元和395.6亿元，分别增长18.4%、14%和23.5%。"
    )
    assert [(c.indicator, c.value, c.growth_pct) for c in found] == [
        ("集成电路出口", 1493.7, 18.4),
        ("笔记本电脑出口", 1109.9, 14),
        ("太阳能电池出口", 395.6, 23.5),
    ]


def test_a_second_list_of_rates_after_fenbie_reuses_the_sentences_items():
    found = _candidates(
        "金银珠宝类、体育娱乐用品类、通讯器材类商品零售分别增长95.8%、63.9%和40.9%，两年分别平均增长16.7%、20.0%、15.6%。"
    )
    assert [c.indicator for c in found] == [
        "金银珠宝类商品零售",
        "体育娱乐用品类商品零售",
        "通讯器材类商品零售",
        "金银珠宝类商品零售两年平均增长",
        "体育娱乐用品类商品零售两年平均增长",
        "通讯器材类商品零售两年平均增长",
    ]


def test_a_growth_rate_named_by_a_place_with_yi_or_a_growth_suffix_takes_its_subject():
    found = _candidates("全球优质写字楼租用成本同比增长1.9%，上海浦西以13%的增长率位居首位。")
    names = {c.growth_pct: c.indicator for c in found}
    assert names[1.9] == "全球优质写字楼租用成本" and names[13] == "全球优质写字楼租用成本"


def test_a_kind_of_housing_ending_in_qu_is_not_a_place_stripped_from_a_name():
    found = _candidates("实施保障性安居工程3.95万套，改造老旧小区118个，新建示例县幼儿园12所。")
    names = {c.value: c.indicator for c in found}
    assert names[118] == "老旧小区" and names[3.95] == "保障性安居工程"


def test_a_topic_named_by_fangmian_names_the_sentences_rates():
    found = _candidates("在租用成本涨幅方面，上海浦西以13%的增长率位居首位，广州（8.2%）也进入前二十。")
    assert {c.growth_pct: c.indicator for c in found}[13] == "租用成本"


def test_modal_and_keeping_words_end_no_name_and_every_year_opens_none():
    found = _candidates("审批时限不得超过10个工作日，空置率保持在10%以下，每年约有货值500多亿美元。")
    assert [(c.indicator, c.value, c.unit) for c in found] == [
        ("审批时限", 10, "个工作日"),
        ("空置率", 10, "%"),
        ("货值", 500, "亿美元"),
    ]


def test_counts_of_people_after_their_noun_and_amounts_after_a_floor_are_figures_ranks_are_not():
    found = _candidates("新引进顶尖人才22名、领军人才189名，开工筹集不少于4000套公共住房，排名上升2位，居全省第3名。")
    assert [(c.indicator, c.value) for c in found] == [
        ("新引进顶尖人才", 22),
        ("领军人才", 189),
        ("开工筹集公共住房", 4000),
    ]
    assert _candidates("全市5000万元以上项目完成投资。") == []  # a class by its bound


def test_a_word_of_meetings_in_the_clause_before_does_not_drop_a_count():
    found = _candidates("研究生院完成首届招生，校企共建研发中心2560家。")
    assert [c.value for c in found] == [2560]


def test_yi_without_a_unit_is_a_figure_only_as_an_amount_of_money():
    found = _candidates("投资超50亿，带动超100亿的产业投资，跻身3千亿梯队。")
    assert [(c.value, c.unit) for c in found] == [(50, "亿"), (100, "亿")]
