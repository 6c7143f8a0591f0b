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


def test_the_name_of_a_figure_skips_remarks_places_after_de_and_world_regions():
    assert _by_value("其中农业40万人，工业（含建筑业）25万人。")[25].indicator == "工业"
    assert _by_value("位于新疆南部的农二师二十九团今年种植棉花13万余亩。")[13].indicator == "种植棉花"
    found = _by_value("全球录得整体1.9%的成本同比增长，其中亚太区上涨1.2%，欧洲、中东与非洲小幅增长0.8%，美洲涨3.6%。")
    assert {found[v].indicator for v in (1.2, 0.8, 3.6)} == {"成本"}


def test_currency_moves_and_the_economy_s_growth_rate_are_named():
    assert _by_value("4月新台币升值6.5%。")[6.5].indicator == "新台币升值"
    found = _by_value("去年示例市经济成长率回升到1.5%。")
    assert found[1.5].indicator == "地区生产总值增速" and found[1.5].growth_pct == 1.5


def test_a_rate_with_a_bound_keeps_its_own_name_and_more_places_rates_stay_rates():
    found = _by_value("示例市将成为仅有的空置率保持在10%以下的办公楼市场。")
    assert found[10].indicator == "空置率"
    found = _by_value("在租金涨幅方面，甲区以13%的增长率居首，乙区（8.2%）和丙区（7.5%）也进入前列。")
    assert found[7.5].value is None and found[7.5].growth_pct == 7.5


def test_referred_ranked_banded_and_one_of_counts_are_not_figures():
    assert _candidates("2016年这3家超大型企业所增加的获利接近500亿元。")[0].value == 500  # 这3家: named before
    assert _candidates("该产业作为15条重点产业链之一高位推进。") == []
    assert _candidates("示例市在全球租用成本最高的50个市场中位居前列。") == []
    assert _candidates("示例市在50个写字楼市场排名中占据六席。") == []
    assert [c.value for c in _candidates("缴存比例为5%至7%。单位可以在各5%至7%范围内自主确定。")] == [5, 7]
    assert _candidates("本次展会的6大展区分别为：消费电子区、创客区。7场专业论坛将同期举行。") == []


def test_a_steady_or_slight_change_after_an_amount_is_its_growth():
    found = _by_value("今年示例市种植棉花760万亩，和去年基本持平。")
    assert found[760].growth_pct == 0
    found = _by_value("全市企业税后纯益有1509亿元，微幅成长0.48%。")
    assert found[1509].growth_pct == 0.48


def test_an_amount_made_or_still_to_do_is_named_by_the_noun_after_it():
    found = _by_value("按照高标准建成48万平方米共17栋安置房，包括5万平方米配套公建。")
    assert found[48].indicator == "安置房面积" and found[5].indicator == "配套公建面积"
    assert _by_value("规划建设6台百万千瓦级核电机组。")[6].indicator == "核电机组"
    assert _by_value("目标设定为拥有1500亿元化妆品产值规模。")[1500].indicator == "化妆品产值规模"
    assert _by_value("计划机采5万亩，但仍有7-8万亩需人工采摘。")[8].indicator == "需人工采摘面积"


def test_a_share_or_a_bare_amount_takes_the_clause_before_in_its_sentence():
    found = _by_value("2016年金融服务业主导示例市写字楼市场需求，占总成交面积约68%。")
    assert found[68].indicator.startswith("金融服务业") and found[68].indicator.endswith("占总成交面积")
    found = _by_value("示例市化妆品市场规模将保持稳定增长，2023年预计将突破5100亿元。")
    assert found[5100].indicator == "化妆品市场规模"


def test_a_headline_gives_no_records():
    text = "全球最贵10大办公楼市 示例市占3席\n据介绍，今年以来示例市写字楼租金在需求带动下继续上涨，租金同比增长5%。\n"
    assert [c.growth_pct for c in extract_candidates(text, read_context(text))] == [5]
    line = "示例市租金同比增长5%，示例区写字楼新增供应3万平方米。"  # one line alone is read, not a title
    assert len(extract_candidates(line, read_context(line))) == 2


def test_class_labels_classification_sizes_and_prices_per_unit():
    assert [c.value for c in _candidates("全市规模以上亿元企业数达284家。")] == [284]  # 亿元企业: a class
    assert [c.value for c in _candidates("41个工业大类行业中有35个行业增加值实现增长。")] == [35]
    found = _by_value("拾花指导价为每公斤1.8元。新房均价为每平方米1.2万元。")
    assert (found[1.8].indicator, found[1.8].unit) == ("拾花指导价", "元/公斤")
    assert found[1.2].unit == "万元/平方米"


def test_price_adjusted_growth_and_one_character_list_items():
    found = _by_value("全国居民人均可支配收入11539元，扣除价格因素实际增长6.2%。")
    assert found[11539].growth_pct == 6.2
    found = _by_value("猪、牛出栏分别增长2.2%、25%。工业投资、民间投资分别增长5%、6%。")
    assert [found[v].indicator for v in (2.2, 25, 5, 6)] == ["猪出栏", "牛出栏", "工业投资", "民间投资"]


def test_the_same_numbers_for_another_place_are_another_fact_but_a_restatement_is_not():
    found = _candidates("甲市房价环比上涨0.2%。乙市和丙市分别上涨0.2%和0.5%。")
    assert sorted(c.growth_pct or 0 for c in found) == [0.2, 0.2, 0.5]
    again = _candidates("社会消费品零售总额74亿元，增长3%。全市实现社会消费品零售总额74亿元，同比增长3%。")
    assert len([c for c in again if c.value == 74]) == 1


def test_a_regulation_s_floors_are_norms_but_a_plan_s_floor_is_a_figure():
    assert _candidates("《条例》明确，居住区的绿地率不低于30%，旧城改造区不低于25%。") == []
    assert [c.value for c in _candidates("今年全市将建设不少于4000套公共住房。")] == [4000]


def test_reporting_verbs_hopes_and_causes_are_no_part_of_a_name():
    found = _by_value("经济部今天公布10月外销订单为693.7亿美元，年增25.1%。")
    assert found[693.7].indicator == "外销订单" and found[693.7].growth_pct == 25.1
    found = _by_value("今年全年外销订单期可首度站上7000亿美元大关，全年年增率上看2成。")
    assert found[7000].indicator == "外销订单"
    assert found[20].indicator == "年增率" and found[20].value is None  # 2成 of a growth rate is 20%
    assert _by_value("累计今年前10月外销订单为5937.4亿美元。")[5937.4].indicator == "外销订单"
    found = _by_value("机械产品因半导体设备订单增加，年增16%；化学品因药品接单成长，年增4.4%。")
    assert (found[16].indicator, found[4.4].indicator) == ("机械产品", "化学品")


def test_list_items_without_a_measure_word_stay_whole_and_a_range_takes_a_rate_per_end():
    found = _by_value("受市场需求影响，致基本金属、塑橡胶制品分别年减10%、9.8%。")
    assert (found[-10].indicator, found[-9.8].indicator) == ("基本金属", "塑橡胶制品")
    found = _by_value("预估11月外销订单667到687亿美元，年增27.6%到31.4%。")
    assert (found[667].growth_pct, found[687].growth_pct) == (27.6, 31.4)
    found = _by_value("外销订单729.2亿美元。订单来源中，以美国284.5亿美元为首，其次是东协135.8亿美元。")
    assert found[284.5].indicator == found[135.8].indicator == "外销订单"  # not 为首, not 其次是


def test_a_county_report_s_idioms():
    found = _by_value("1至9月，全县完成生产总值56.7亿，增长7.5%；城乡居民人均可支配收入分别达到18687元、5634元。")
    assert (found[56.7].unit, found[56.7].growth_pct) == ("亿", 7.5)  # 亿 of 生产总值: money, as written
    assert (found[18687].indicator, found[5634].indicator) == ("城镇居民人均可支配收入", "农村居民人均可支配收入")
    assert _candidates("工业增加值、工业投资、地方一般公共预算收入3项指标增速全市第一。") == []
    assert _candidates("在16个县市区经济指标综合排名中，我县上升到第6位。") == []


def test_a_month_on_month_rate_is_named_so_and_a_thing_is_no_place():
    found = _by_value("11月外销订单729.2亿美元，月增5.1%，年增9.5%。")
    assert found[729.2].growth_pct == 9.5 and found[5.1].indicator == "外销订单环比"
    found = _by_value("外销订单增加。光学器材因光学镜头接单成长，年增2.9%。")
    assert found[2.9].indicator == "光学器材"


def test_hong_kong_release_idioms():
    found = _by_value("2023年11月的零售业总销货价值的临时估计为342亿元，按年上升15.9%。")
    assert (found[342].indicator, found[342].growth_pct) == ("零售业总销货价值", 15.9)
    found = _by_value("今年8月的零售业总销货价值的临时估计为324亿元,较去年同月上升13.7%。")
    assert found[324].growth_pct == 13.7  # 较去年同月: a comparison of the amount before


def test_an_amount_in_a_declared_currency_says_so_in_its_unit():
    found = _by_value("零售业总销货价值的临时估计为342亿元（港币，下同），按年上升15.9%。网上销售价值为24亿元。")
    assert found[342].unit == found[24].unit == "亿港元"
