"""Main content: the article body is kept, page furniture around it goes; non-economic pages give
no records. Pages here are built from the shapes real pages have (invented text, not the eval sets)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from llm_extract.backends.rules import RulesBackend
from llm_extract.cli import cli
from llm_extract.figures.verify import Source, verify
from llm_extract.pipeline import extract
from llm_extract.text.cleaning import clean, dropped_lines
from llm_extract.text.content import find_body, line_kind, not_economic
from llm_extract.text.loading import read_file
from llm_extract.types import Claim

NAV = "\n".join(
    ["首页", "新闻", "财经", "体育", "娱乐", "汽车", "房产", "登录", "注册", "客户端下载", "无障碍", "English"]
)
HOT = "\n".join([
    "热门推荐",
    "女子敲诈老板29万被刑拘",
    "小伙回乡自费80万建别墅",
    "某球星合同总额711万元曝光",
    "某地暴雨致120户受灾",
    "网友晒出月薪2万元工资条",
])  # fmt: skip
BODY = (
    "1至10月，某市规模以上工业增加值同比增长6.2%，增速比前三季度加快0.3个百分点。\n"
    "全市固定资产投资完成856.4亿元，同比增长8.1%。其中，工业投资增长12.5%，占全部投资的比重为31.2%。\n"
    "社会消费品零售总额达到1023.7亿元，同比增长5.4%。"
)
TITLE = "某市前10月经济运行稳中向好"
DATELINE = "2023-11-20 09:12 来源：某市日报"
PAGE = f"{TITLE}_某某新闻网\n{NAV}\n{TITLE}\n{DATELINE}\n{BODY}\n{HOT}\n关于我们\n联系我们\n"


def test_furniture_around_the_body_goes_and_the_body_title_and_dateline_stay():
    text = clean(PAGE).text
    assert BODY in text
    assert text.startswith("某市前10月经济运行稳中向好_某某新闻网")
    assert "2023-11-20 09:12 来源：某市日报" in text and "\n某市前10月经济运行稳中向好\n" in text
    for furniture in ("客户端下载", "女子敲诈老板29万被刑拘", "某球星合同总额711万元曝光", "网友晒出月薪2万元工资条"):
        assert furniture not in text


def test_headline_lists_with_money_give_no_records():
    result = extract(PAGE, backend=RulesBackend())
    assert result.records
    assert {856.4, 1023.7} <= {r["value"] for r in result.records}
    assert not {29.0, 80.0, 711.0, 2.0} & {r["value"] for r in result.records}


def test_every_dropped_line_is_listed_with_its_reason():
    dropped = dict(dropped_lines(PAGE))
    assert dropped["某球星合同总额711万元曝光"] == "short line after the article body"
    assert dropped["客户端下载"] == "short line before the article body"
    assert "关于我们" in dropped or "联系我们" in dropped
    kept = clean(PAGE).text
    for line in dropped:
        assert line not in kept.splitlines()


def test_a_clean_article_is_kept_whole():
    text = f"某市经济运行稳中向好\n\n{BODY}\n\n下一步，全市将继续扩大有效投资。"
    assert clean(text).text == text


def test_a_statistical_table_at_the_end_is_content():
    table = "\n".join(["表1 主要工业产品产量", "指标", "单位", "绝对数", "比上年增长%",
                       "规模以上工业增加值", "亿元", "412.6", "6.1", "粗钢", "万吨", "512.6", "3.1",
                       "发电量", "亿千瓦时", "86", "-2.3"])  # fmt: skip
    text = clean(f"{BODY}\n{table}\n{HOT}").text
    assert table in text
    assert "女子敲诈老板29万被刑拘" not in text


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("全市固定资产投资完成856.4亿元，同比增长8.1%。", "prose"),
        ("512.6", "cell"),
        ("-2.3", "cell"),
        ("女子敲诈老板29万被刑拘", "short"),
        ("某市召开经济工作会议 2023-12-01", "list"),
        ("新闻 | 财经 | 体育 | 娱乐", "list"),
        ("", "blank"),
    ],
)
def test_line_kinds(line, kind):
    assert line_kind(line)[0] == kind


def test_nothing_reads_as_prose_then_nothing_is_dropped():
    text = "粗钢\n512.6\n水泥\n301.5"
    assert all(b.kept for b in find_body(text).blocks)


SPORTS = (
    "某队主场击败对手\n2023-03-02 22:10 来源：体育频道\n"
    "本场比赛，某某砍下31分12个篮板，外加抢断2次。球队三分球28投11中，全场共有5人得分上双。"
    "赛后，主教练表示球队还需要在防守端做得更好。下一场比赛将在3天后进行，门票已售出1.2万张。"
)


def test_a_page_that_is_not_economic_reporting_gives_no_records_and_says_why():
    result = extract(SPORTS, backend=RulesBackend())
    assert result.records == [] and result.ok
    assert result.note is not None and result.note.startswith("not economic reporting")
    assert extract(SPORTS, backend=RulesBackend(), all_pages=True).records  # extracted when asked


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "一季度，全市地区生产总值增长5.2%。",  # one sentence: its one figure is economic
        "今年以来，全县接待游客120万人次，实现旅游收入9.8亿元，分别增长15%和12%。",
    ],
)
def test_economic_texts_are_economic(text):
    assert not_economic(text) is None


# A family's story: its few money figures stand among ages, dates and counts.
STORY = (
    "少年盼成年捐肝救父\n2013年02月19日\n读小四的小明今年10岁，爸爸今年44岁，患病已有3年。"
    "妈妈一人撑起5口之家，每天工作12小时。爸爸住院2次，花了15天。家里已向亲友周转20万元。"
    "妈妈说，孩子们每天3顿饭都要省着吃。弟弟今年6岁，妹妹4岁。当地公所已拨急难金2万元，另有善心人士捐款1万元。"
    "小明说，等他满18岁，就要捐肝给爸爸。医生说手术要等2个月。小明每天走3公里上学。他考了2次第一名。"
)


def test_a_story_with_a_few_money_figures_among_many_others_is_not_economic():
    reason = not_economic(STORY)
    assert reason is not None and "1 in 5 needed" in reason
    # The same money figures in a report that is about them is economic reporting.
    report = "全县救助情况\n全县已拨急难金2万元，善心人士捐款1万元，向亲友周转资金20万元，共计23万元。"
    assert not_economic(report) is None


def test_clean_command_shows_dropped_lines_and_explains(tmp_path):
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sports.txt").write_text(SPORTS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["clean", str(tmp_path), "--show-dropped", "--explain"])
    assert result.exit_code == 0, result.output
    assert "[short line after the article body] 某球星合同总额711万元曝光" in result.output
    assert "--- page: economic reporting:" in result.output
    assert "--- sports: not economic reporting" in result.output


def test_run_journals_why_a_page_gave_no_records(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "sports.txt").write_text(SPORTS, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "in"), "-o", str(out), "--backend", "rules", "-q"])
    assert result.exit_code == 0, result.output
    assert "1 not economic reporting" in result.output
    journal = (tmp_path / "out.journal.jsonl").read_text(encoding="utf-8")
    assert '"note": "not economic reporting' in journal or '"note":"not economic reporting' in journal


PORTAL = """<html><head><title>某市前10月经济运行稳中向好_某某新闻网</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/n">新闻</a> <a href="/c">财经</a> <a href="/s">体育</a></div>
<div class="side"><h3>热门推荐</h3><ul>
<li><a href="/1">女子敲诈老板29万被刑拘</a></li><li><a href="/2">某球星合同总额711万元曝光</a></li>
<li><a href="/3">网友晒出月薪2万元工资条</a></li></ul></div>
<div class="article"><h1>某市前10月经济运行稳中向好</h1><div class="info">2023-11-20 09:12 来源：某市日报</div>
<p>1至10月，某市规模以上工业增加值同比增长6.2%，增速比前三季度加快0.3个百分点。</p>
<p>全市固定资产投资完成856.4亿元，同比增长8.1%。其中，工业投资增长12.5%，占全部投资的比重为31.2%。</p>
<p>社会消费品零售总额达到1023.7亿元，同比增长5.4%。全市规模以上工业主要产品产量如下表。</p>
<table><tr><td>指标</td><td>单位</td><td>绝对数</td><td>比上年增长%</td></tr>
<tr><td>粗钢</td><td>万吨</td><td>512.6</td><td>3.1</td></tr>
<tr><td>发电量</td><td>亿千瓦时</td><td>86</td><td>-2.3</td></tr></table></div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/4">某地暴雨致120户受灾</a></li></ul></div>
<div class="footer">关于我们 | 联系我们 | 版权所有 ©2023</div></body></html>"""


def test_html_pages_give_their_main_content_only(tmp_path):
    (tmp_path / "page.html").write_text(PORTAL, encoding="utf-8")
    (article,) = read_file(tmp_path / "page.html")
    assert "856.4亿元" in article.text and "512.6" in article.text
    for furniture in ("热门推荐", "711万元", "暴雨", "联系我们"):
        assert furniture not in article.text
    result = extract(article, backend=RulesBackend())
    values = {r["value"] for r in result.records}
    assert {856.4, 1023.7} <= values and not {29.0, 711.0, 2.0, 120.0} & values
    for record in result.records:
        assert article.text[record["span"][0] : record["span"][1]] == record["evidence"]


def test_html_table_cells_verify_with_their_units(tmp_path):
    (tmp_path / "page.html").write_text(PORTAL, encoding="utf-8")
    (article,) = read_file(tmp_path / "page.html")
    source = Source.of(clean(article.text))
    assert verify(Claim("发电量", 86, "亿千瓦时", -2.3, "发电量\n亿千瓦时\n86\n-2.3"), source).verified
    assert not verify(Claim("发电量", 86, "万千瓦时", -2.3, "发电量\n亿千瓦时\n86\n-2.3"), source).verified


def test_clean_lists_what_the_html_extractor_left_out(tmp_path):
    (tmp_path / "page.html").write_text(PORTAL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["clean", str(tmp_path / "page.html"), "--show-dropped"])
    assert result.exit_code == 0, result.output
    assert "[outside the main content of the HTML page] 女子敲诈老板29万被刑拘" in result.output


def test_dry_run_counts_pages_that_will_not_be_sent(tmp_path):
    (tmp_path / "sports.txt").write_text(SPORTS, encoding="utf-8")
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    args = ["run", str(tmp_path), "--dry-run", "--base-url", "http://127.0.0.1:9/v1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    counts = dict(line.split() for line in result.output.splitlines() if len(line.split()) == 2)
    assert counts["articles"] == "2" and counts["not_economic"] == "1" and counts["chunks"] == "1"
    counts_all = dict(
        line.split() for line in CliRunner().invoke(cli, [*args, "--all-pages"]).output.splitlines()
        if len(line.split()) == 2
    )  # fmt: skip
    assert counts_all["not_economic"] == "0" and int(counts_all["chunks"]) == 2


def test_a_print_edition_stamp_under_the_body_stays_and_dates_the_article():
    body = "本报北京4月16日电 国家统计局16日发布数据：初步核算，一季度国内生产总值296299亿元，同比增长5.3%。" * 2
    raw = (f"数据来源：国家统计局\n{body}\n下一步，将加大政策落实力度，巩固经济持续回升向好的基础。\n"
           "（相关报道见第三版）\n《 人民日报 》( 2024年04月17日 01 版)\n")  # fmt: skip
    cleaned = clean(raw).text
    assert "2024年04月17日" in cleaned and "相关报道见第三版" not in cleaned
    records = extract(raw).records
    assert records and {r["period"] for r in records} == {"2024年一季度"}
    assert {r["region"] for r in records} == {"全国"}  # 北京 is where the report was filed; 国家统计局's figures


def test_a_weather_page_with_visitors_in_it_is_not_economic_reporting():
    page = ("示例景区天气预报\n示例景区是游客喜爱的旅游目的地。\n最新天气预报\n"
            "1、气温：本周白天平均气温在20-26℃之间，夜间在12-18℃之间，游客可根据季节穿着衣物。\n"
            "2、降水：本周预计有两次降雨过程，雨量10毫米左右，游客出行请备好雨具。\n"
            "3、风速：周六将有5级北风，游客在游玩时需注意安全。\n")  # fmt: skip
    assert not_economic(clean(page).text) is not None
    report = "示例市旅游\n国庆假期全市接待游客571.65万人次，同比增长17.9%，实现文旅综合收入66.53亿元。\n"
    assert not_economic(clean(report).text) is None
