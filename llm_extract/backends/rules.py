"""The offline rules backend: figures bound to their indicator phrases by the number grammar.

It reads cleaned text sentence by sentence and turns each figure mention into a candidate
record (see :class:`Candidate`):

* a level (money, count, area, physical quantity, share) takes as indicator the noun phrase
  before it (``完成固定资产投资68.6亿元`` -> 固定资产投资) or, for a count written before its noun,
  the noun after it (``321家规模以上工业企业``);
* a growth rate right after a level, with nothing but comparison words between
  (``68.6亿元,同比增长11.0%``), is that level's ``growth_pct``; ``分别增长6%和9%`` hands rates to
  the levels before it in order; any other rate is a record of its own
  (``规上工业总产值增长29.5%``, ``两年平均增长4.8%``);
* percentage points (``增速高于全市5.9个百分点``) and shares (``占…的52.4%``) borrow the subject
  of the sentence when their own phrase starts with 增速 / 占 / 比;
* thresholds (``5000万元以上项目``), figures with no unit, counts of meetings, a regulation's floors
  (``《条例》明确，绿地率不低于30%``) and the headline of a page with a body are skipped.

Places and periods written before an indicator are stripped from its name; a record's region
and period are resolved afterwards from where its figure stands (:mod:`llm_extract.attributes.resolver`),
the same way for every backend. Every candidate's span covers its phrase and numbers, so the
verifier can check it like any other record.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from llm_extract.attributes.indicators import canonical_indicator, taxonomy
from llm_extract.attributes.places import leading_corps_unit, leading_name
from llm_extract.evaluation import dice
from llm_extract.figures.numbers import CURRENCY_WORDS, find_mentions
from llm_extract.figures.tables import find_rows
from llm_extract.text.context import ArticleContext, find_places, title_of
from llm_extract.types import Claim, Cleaned, Kind, Mention, Proposal

__all__ = ["Candidate", "RulesBackend", "extract_candidates"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record proposed by the rules; ``span`` is a cleaned-text span of its evidence."""

    indicator: str
    value: float | None
    unit: str | None
    growth_pct: float | None
    span: tuple[int, int]
    qualifier: str | None = None


_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_RATE_KINDS = {Kind.PERCENT, Kind.TENTHS, Kind.MULTIPLE}
_LEVEL_KINDS = {Kind.MONEY, Kind.COUNT, Kind.AREA, Kind.PHYSICAL}
_GROWTH_WORDS = re.compile(
    r"增长|增速|增幅|上涨|涨幅|提高|提升|增加|上升|回升|下降|减少|回落|下滑|降低|下跌|降幅|萎缩|翻番|持平|零增长|成长|衰退|升值|贬值|增|涨|减|降|跌"
)

_PERIOD = re.compile(
    r"(?:(?:19|20)\d\d年)?(?:\d{1,2}\s*[-—–至~到]\s*\d{1,2}月份?|\d{1,2}月(?:份|末|底)?|[一二三四1-4]季度|前[一二三]季度|"
    r"第[一二三四]季度|上半年|下半年|全年|前\d{1,2}个月|前\d{1,2}月份?)"
    r"|(?:19|20)\d\d年(?:度)?|今年(?:以来)?|去年|上年|当年|年内|目前|截至目前|截至[^，,。]{1,10}?(?:末|底)"
)
_PERIOD_PREFIX = re.compile(rf"^(?:{_PERIOD.pattern})+")
_LEAD_WORDS = (
    "其中|另外|此外|同时|并且|而且|共计|累计|合计|总计|全年|实现了|实现|完成了|完成|达到|已经|预计|力争|计划|确保|全力|截至|"
    "据统计|据介绍|据悉|数据显示|统计显示|初步测算|初步核算|经核算|全市|全省|全区|全县|全州|全镇|该区|该市|该县|该省|我市|我省|"
    "我区|本市|本区|全国|境内|辖区|以及|今年以来|年初以来|以来|与上年同期相比|与去年同期相比|比上年同期|比去年同期|较上年同期|"
    "较去年同期|与上年相比|与去年相比|比上年|比去年|较上年|较去年|同期相比|相比|同比|上半年|下半年|也|还|均|都|则|就|已|将|又|再|"
    "仍|在|从|和|与|及|对|几乎|虽然|不过|但是|而且|原标题|除了|大约|大概|地级市|县（区）|县\\(区\\)|县区|各县区|各市|市州|区县|各地|"
    # verbs of doing that open a clause before what was done (提供养老单元657个, 改造老旧小区118个)
    "但|亦|并|要|提供|新筹集|筹集|建成|新建|实施|改造|引进|组织|走访|惠及|包括|涉及|按照|拥有|共有|现有|每年|约有|"
    "昨天|昨日|今天|今日|前天|致|导致|使得|以(?![上下内外来后前及])|冲破|其次是|其次"
)
_LEAD = re.compile(rf"^(?:{_LEAD_WORDS})")
_TRAIL = re.compile(
    r"(?:实现了|实现|完成了|完成|达到了|达到|达|为|是|共计|共|至|了|的|有|在|突破|增加到|增加至|增长到|增长至|提高到|提高至|"
    r"提升到|提升至|下降到|下降至|回落到|回落至|回升到|回升至|下滑到|下滑至|降至|降到|升至|升到|增至|累计|分别|均|也|都|"
    r"合计|总计|同比|比上年同期|比去年同期|较上年同期|比上年|比去年|较上年|较去年|与上年同期相比|与去年同期相比|上年同期|去年同期|同期|"
    r"较同月|较上年同月|较去年同月|同月|"
    r"环比|按年|按月|就|已|仍|又|再|还|将|可|能|并|其|新|各|"
    r"仅|仅有|只有|大概|大约|超过|高过|高出|站上|迈上|跨过|肯定会|会|要|拥有|共有|现有|提供|"
    r"保持|不得|不超过|不低于|不少于|不高于|首度|首次|有望|可望|期可|上看|再度|一举)+$"
)
_COMPARISON_ONLY = re.compile(
    r"^(?:同比|比上年同期|比去年同期|较上年同期|比上年|比去年|较上年|较去年|与上年同期相比|与去年同期相比|环比|按年|按月|同月|"
    r"分别|均|也|都|了|为|达|达到|约|近|实现|完成|并|其中|共|基本|大体|大致|微幅|小幅|略有|略|稍有|"
    r"扣除价格因素|按可比价格计算|按不变价格计算|按可比价计算|可比|实际|名义)*$"
)
_PUNCT = re.compile(r"[\s“”\"‘’'《》「」『』【】·]")
_CLAUSE_SPLIT = re.compile(r"[，,：:（(）)、]")
_LIST_CLAUSE_SPLIT = re.compile(r"[，,：:（(）)]")
_SHARE_OR_RATE_START = re.compile(
    r"^(?:占|增速|增幅|涨幅|降幅|比重|比|较|高于|低于|高出|快于|慢于|提高|提升|回落|下降)"
)
_THRESHOLD_AFTER = re.compile(r"^(?:的)?(?:[\u4e00-\u9fff]{0,4})(?:项目|企业|工程|大项目)")
_NOT_ECONOMIC = re.compile(
    r"会议|讲话|座谈|调研|批示|届|全会|常委|岁|周年|号文|党员|代表|排名|位列|名列|论坛|研讨会|峰会"
)
_PENALTY = re.compile(r"罚款?|处以|罚金|赔偿")
_ATTENDANCE = re.compile(r"^[左右余多]*(?:参加|参与|出席|列席|与会|参会|到会)")
_RANK_UNITS = {"名", "位"}
_LABEL_AFTER = re.compile(r"^(?:梯队|俱乐部|大关|级|量级)")
_THRESHOLD_QUALIFIERS = {"以上", "以下", "以内"}  # written after the number
# Abbreviations and synonyms statisticians write out (GDP is 地区生产总值 in Chinese statistics).
_CANONICAL = (
    (re.compile(r"^(?:GDP|国内生产总值|经济总量)(?=增速|增幅|增长|总量|规模|$)"), "地区生产总值"),
    (re.compile(r"GDP"), "地区生产总值"),
    (re.compile(r"^经济(?:成长率|增长率|增速)"), "地区生产总值增速"),
    (re.compile(r"规上"), "规模以上"),
    (re.compile(r"社零(?:总额)?"), "社会消费品零售总额"),
    (re.compile(r"固投"), "固定资产投资"),
    (re.compile(r"^CPI"), "居民消费价格"),
    (re.compile(r"^PPI"), "工业生产者出厂价格"),
)
_ANY_CANONICAL = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _CANONICAL))
_VERB_CUT = re.compile(r"^.*?(?:实现|完成|达到|达|公布|发布)(?=[\u4e00-\u9fffA-Z]{2})")
_ADVERB_TAIL = re.compile(r"(?:迅猛|快速|稳定|持续|大幅|明显|较快|稳步|显著|平稳|强劲)?(?:增长|下降|回升|回落)?$")
_GROWTH_WORD_ONLY = re.compile(r"高?(?:增速|增幅|增长|增长率)")
_GROWTH_NAME = re.compile(r"增速|增幅|增长率|成长率|年增率|涨幅|降幅|升值幅度|贬值幅度")
_TOPIC = re.compile(r"\s*(?:在|从)([\u4e00-\u9fffA-Z]{2,12}?)方面[，,]")
_GROWTH_NAME_END = re.compile(r"(?:增速|增幅|涨幅|增长率|降幅)$")
_GROWTH_SUFFIX = re.compile(r"(?:同比|环比)?(?:增长|上涨)$")  # 成本同比增长 1.9%: the growth of 成本
_GROWTH_VERB_END = re.compile(r"(?:同比|比上年|比去年)?(?:增长|上涨|提高|提升|回升)$")
_FOLLOW_GROWTH = re.compile(r"^的?([\u4e00-\u9fffA-Z]{0,12}?(?:增速|增幅|增长目标|增长率|增长))")
_SPEED_ADVERB = re.compile(r"^(?:快速|较快|高速|中高速|稳定|平稳|持续|稳步|强劲|大幅)")
_FOLLOW_NOUN = re.compile(r"^的?((?:GDP|[\u4e00-\u9fff]){2,8}?)(?=[，,。；;、]|$)")
_TARGET = re.compile(r"力争|目标|预计|计划|争取|确保|将")
_COUNT_FOLLOW = re.compile(r"^[\u4e00-\u9fff]{2,16}")
_FOLLOW_STOP = re.compile(r"(?:[和与及的为共]|实现|完成|同比|增长|下降|达到|累计|进入|正在|已经|全部|分别|均|都|也).*$")
_ECON_FOLLOW_STOP = re.compile(r"(?:一季度|上半年|前三季度|今年|去年|全年|目前|截至).*$")


@functools.lru_cache(maxsize=4096)  # pure; phrases repeat within and across articles
def _strip_prefixes(phrase: str) -> tuple[str, str | None, str | None]:
    """Strip leading time words, places and function words; return (phrase, region, period)."""
    region = period = None
    for _ in range(8):
        before = phrase
        m = _PERIOD_PREFIX.match(phrase)
        if m:
            period = m.group()
            phrase = phrase[m.end() :]
        place = _leading_place(phrase)
        if place:
            region = place
            phrase = phrase[len(place) :]
        phrase = _LEAD.sub("", phrase, count=1)
        if phrase == before:
            break
    return phrase, region, period


def _leading_place(phrase: str) -> str | None:
    """The place a phrase opens with: a gazetteer name (大连市, 甘井子区), else a place word (普湾经济区,
    自治区) that is not a kind of housing (老旧小区)."""
    name = _leading_division(phrase)
    if name is not None:
        return name
    words = find_places(phrase[:12])  # 自治区, 北方省份: place words the gazetteer does not list
    if words and phrase.startswith(words[0]) and not words[0].endswith(_NOT_A_PLACE_END):
        return words[0]
    return None


def _leading_division(phrase: str) -> str | None:
    """The gazetteer name or the Corps unit a phrase opens with (no place words: 人均地区 is none)."""
    return leading_name(phrase) or leading_corps_unit(phrase)


_NOT_A_PLACE_END = ("小区", "社区", "街区", "厂区", "城区", "景区", "园区")  # 老旧小区: a kind of housing


@functools.lru_cache(maxsize=4096)  # pure; phrases repeat within and across articles
def _canonical(name: str) -> str:
    if _ANY_CANONICAL.search(name) is None:  # no pattern matches: none of the rewrites applies
        return name
    for pattern, replacement in _CANONICAL:
        name = pattern.sub(replacement, name)
    return name


_DANGLING_BASE = re.compile(r"(?:较|比)(?=提升|回升|提高|回落|下降|加快|放缓|上升|收窄|扩大)")
_ESTIMATE = re.compile(r"(?:临时|修订|初步|最新)?(?:估计|估算|估计数|核算数|统计数字|数字|数据)(?:较|比)?")
_GENERIC = re.compile(
    r"^(?:涉及)?(?:总投资额?|投资额|投资|总金额|金额|总额|总面积|面积|占地面积|建筑面积|总产值|产值|总规模|规模)$"
)


def _generic_with_sibling(name: str, *, out_names: list[str]) -> str:
    """``推介招商谋划项目79个，涉及投资额2894亿元``: a bare 投资额 belongs to the figure before."""
    if _GENERIC.match(name) and out_names and not _GENERIC.match(out_names[-1]):
        if out_names[-1].endswith(re.sub(r"^涉及", "", name)):
            return out_names[-1]  # 各地项目总投资额…，其中江苏的总投资额: the same statistic
        sibling = re.sub(r"(?:数量|个数)$", "", out_names[-1])
        return sibling + re.sub(r"^涉及", "", name)
    return name


@functools.lru_cache(maxsize=4096)  # pure; phrases repeat within and across articles
def _name(phrase: str) -> str:
    """Reduce a phrase to its indicator: the noun after 的 or after the verb, canonical words."""
    phrase = re.sub(rf"(?:{_PERIOD.pattern})", "", phrase)
    phrase = _DANGLING_BASE.sub("", phrase)  # 增速较一季度提升: 较 without its base
    phrase = re.sub(r"前[一二三四五六七八九十0-9]+(?:名|位)$", "", phrase)
    if "的" in phrase:
        head, tail = phrase.rsplit("的", 1)
        if re.match(r"^(?:比重|占比|比例|份额|规模|总量|总额|增速|增幅|两年平均增速)", tail):
            phrase = head + tail  # 数字经济增加值占GDP的比重: the tail alone names nothing
        elif _ESTIMATE.fullmatch(tail) and len(head.rsplit("的", 1)[-1]) >= 2:
            phrase = head.rsplit("的", 1)[-1]  # 11月的零售业总销货价值的临时估计为342亿元: the statistic
        elif len(tail) >= 2:
            phrase = tail
    m = _VERB_CUT.match(phrase)
    if m:
        phrase = phrase[m.end() :]
    phrase = phrase.replace("分别", "")
    cut = re.sub(r"(?:也|还|则)?从.*$", "", phrase)
    if len(cut) >= 2:
        phrase = cut
    phrase = _TRAIL.sub("", phrase)
    return _canonical(phrase)


def _phrase(segment: str, *, keep_lists: bool = False) -> tuple[str, str | None, str | None]:
    """The indicator phrase at the end of ``segment`` (text before a number or direction word).

    With ``keep_lists`` an enumeration (``汽车、电气和电子``) stays whole, for :func:`_list_names`.
    """
    segment = _REMARK.sub("", _PUNCT.sub("", segment))
    last = (_LIST_CLAUSE_SPLIT if keep_lists else _CLAUSE_SPLIT).split(segment)[-1]
    phrase, region, period = _strip_prefixes(last)
    phrase = _TRAIL.sub("", phrase)
    phrase, region2, period2 = _strip_prefixes(phrase)
    name = _name(phrase)
    if name != phrase:  # 位于新疆南部的农二师二十九团种植棉花: the place after 的 is no part of the name
        place = _leading_division(name)
        if place and len(name) - len(place) >= 2:
            name, region2 = name[len(place) :], region2 or place
    return name, region or region2, period or period2


# A remark inside a name: 工业（含建筑业）25万人 is 工业's figure.
_REMARK = re.compile(r"[（(](?:含|不含|包括|包含|除)[^（()）]{1,12}[）)]")


def _previous_clause_name(segment: str) -> str:
    """For ``通用设备制造业迅猛增长，增长6309.9%``: the name in the clause before the rate's."""
    parts = _CLAUSE_SPLIT.split(_PUNCT.sub("", segment))  # "A，" -> ["A", ""]: the rate's clause is empty
    for clause in reversed(parts[-3:-1]):  # 特别是工业投资，增势强劲，增长达50.8%: past a clause that names nothing
        name = _ROUND_FIGURE_TAIL.sub("", _ADVERB_TAIL.sub("", clause))
        cause = _CAUSE.search(name, 2)  # 机械产品因半导体设备订单增加，年增16%: what grew, not why
        name = _name(_strip_prefixes(name[: cause.start()] if cause else name)[0])
        if name and not _region_like(name):
            return name if not find_mentions(name) else ""
    return ""


_CAUSE = re.compile(r"因|由于|受惠于|受益于")
_MEASURE_END = re.compile(
    r"(?:规模|总量|总额|产值|增加值|收入|投资额?|销售额|零售额|利润|产量|进出口|出口|进口|营收|生产总值)$"
)
_ROUND_FIGURE_TAIL = re.compile(
    r"(?:突破|超过|超|达到|迈上|跨过|站上|跨上)[零一二三四五六七八九十两百千万亿]+(?:元|大关)?$"
)
_ROUND_FIGURE_BEFORE = re.compile(_ROUND_FIGURE_TAIL.pattern[:-1] + r"[，,]\s*(?:达到|达|为|是)?$")
# A phrase that is only a direction of change or a currency (with hedges) names no statistic.
_CURRENCY = re.compile(r"新台币|人民币|美元|港元|港币|欧元|日元|英镑")
_NO_NAME = re.compile(
    rf"(?:约|约合|折合|合|近|逾|超)?(?:{_CURRENCY.pattern})"
    r"|(?:同比|环比)?(?:增长|上涨|提高|提升|回升|下降|下滑|下跌|回落|减少|降低|增加|衰退|萎缩)"
)
_NAMED_KINDS = {Kind.MONEY, Kind.AREA, Kind.PHYSICAL, Kind.PERCENT}
_RATE_VERB = re.compile(r"(?:计划)?(完成|开工|开复工|到位|签约|竣工)")
_ECONOMIC_CHARS = re.compile(r"[资值入润额产费口易税价售量电款政业率数品耗额金营贸储收支投利销GDP]")


def _region_like(name: str) -> bool:
    """A place's name (彭阳县, 宁东) standing for a name: a place in a list, not an indicator. A short
    name with no economic word is one unless it is a thing (光学器材, 成本)."""
    if not name or len(name) > 4 or _ECONOMIC_CHARS.search(name):
        return False
    return _leading_place(name) == name or len(name) <= 2 or not _THING_END.search(name)


_THING_END = re.compile(r"(?:器材|设备|产品|制品|材料|成本|器件|机械|仪器|用品|药品|食品|电器|车辆|机组|装备)$")


@dataclass
class _State:
    """What carries from one sentence to the next within an article."""

    subject: str | None = None
    sentence_names: list[str] = field(default_factory=list)
    respective: list[str] = field(default_factory=list)  # names still to hand to levels after 分别
    list_items: list[str] = field(default_factory=list)  # the names of the sentence's last list of rates
    last_growth: str | None = None  # the name of the sentence's last record so far, when a growth rate

    def note(self, name: str) -> None:
        if name and not _SHARE_OR_RATE_START.match(name) and not name.startswith(("两年", "三年")):
            self.subject = re.sub(r"(?:增速|增幅|增长率)$", "", name) or self.subject


def extract_candidates(
    text: str, context: ArticleContext, *, mentions: Sequence[Mention] | None = None
) -> list[Candidate]:
    """Candidate records of cleaned ``text``; see the module docstring."""
    all_mentions = list(mentions) if mentions is not None else find_mentions(text)
    state = _State()
    out: list[Candidate] = []
    i = 0
    title, title_end = title_of(text)
    if not title or title.endswith(("。", "！", "？")) or len(text) - title_end < 2 * len(title):
        title_end = 0  # a sentence, or a text that is all title: its figures are read
    for sm in _SENTENCE.finditer(text):
        s_start, s_end = sm.span()
        sentence_mentions = []
        while i < len(all_mentions) and all_mentions[i].span[0] < s_end:
            if all_mentions[i].span[0] >= s_start:
                sentence_mentions.append(all_mentions[i])
            i += 1
        if text[s_start:s_end].startswith(("title:", "date:")) or s_end <= title_end:
            continue  # the title: its figures are the body's, or a headline's labels (全球最贵10大办公楼市)
        if sentence_mentions:
            out.extend(_sentence(text, s_start, sentence_mentions, state, context))
    for row in find_rows(text):  # tables one cell per line: a row's label names its figures
        out.append(Candidate(_canonical(row.label), row.value, row.unit if row.value is not None else None,
                             row.growth_pct, row.span))  # fmt: skip
    return _dedupe(out, text)


def _is_growth(m: Mention) -> bool:
    if m.kind not in _RATE_KINDS:
        return False
    word = m.direction_word or ""
    return bool(word and _GROWTH_WORDS.search(word))


def _sentence(
    text: str, s_start: int, mentions: list[Mention], state: _State, context: ArticleContext
) -> list[Candidate]:
    out: list[Candidate] = []
    pending: list[int] = []  # indexes into out of levels still without a growth rate
    state.sentence_names = []
    state.list_items = []
    state.last_growth = None
    topic = _TOPIC.match(text, s_start)
    if topic is not None:  # 在租用成本涨幅方面，…以13%的增长率: the sentence's figures are of that statistic
        state.note(_GROWTH_NAME_END.sub("", _name(topic.group(1))))
    boundary = s_start
    k = 0
    while k < len(mentions):
        m = mentions[k]
        segment = text[boundary : m.span[0]]
        if _skip(text, m, segment):
            boundary = m.span[1]
            k += 1
            continue
        end = m.span[1]
        if _is_growth(m):
            run = [m]
            while k + 1 < len(mentions) and _is_growth(mentions[k + 1]) and _glued(text, run[-1], mentions[k + 1]):
                run.append(mentions[k + 1])
                k += 1
            end = run[-1].span[1]
            out.extend(_attach_rates(text, segment, boundary, run, out, pending, state, context))
        elif m.kind in _RATE_KINDS or m.kind in _LEVEL_KINDS or m.kind is Kind.POINTS or m.kind is Kind.BARE:
            if m.kind in _LEVEL_KINDS and "分别" in segment:
                n = 1
                while (
                    k + n < len(mentions)
                    and mentions[k + n].kind is m.kind
                    and _glued(text, mentions[k + n - 1], mentions[k + n])
                ):
                    n += 1
                state.respective = _respective_names(segment, n) if n > 1 else []
            elif not _GLUE.fullmatch(segment):
                state.respective = []
            cand = _level(text, segment, boundary, m, state, context)
            if cand is not None:
                out.append(cand)
                state.sentence_names.append(cand.indicator)
                if cand.value is not None and m.kind in _LEVEL_KINDS | {Kind.BARE}:
                    pending.append(len(out) - 1)
                if cand.value is not None and m.high is not None and m.kind in _LEVEL_KINDS:
                    out.append(replace(cand, value=m.high))  # 7-8万亩: the range's upper end too
                    pending.append(len(out) - 1)  # 667到687亿美元，年增27.6%到31.4%: a rate for each end
        boundary = end
        k += 1
        growth_last = bool(out) and out[-1].value is None and out[-1].growth_pct is not None
        state.last_growth = out[-1].indicator if growth_last else None
    return out


def _in_quotes(text: str, m: Mention) -> bool:
    before = text[max(0, m.span[0] - 8) : m.span[0]]
    after = text[m.span[1] : m.span[1] + 8]
    opened = max(before.rfind("“"), before.rfind("《"), before.rfind("「"))
    closed = max(before.rfind("”"), before.rfind("》"), before.rfind("」"))
    return opened > closed and any(q in after for q in "”》」")


def _skip(text: str, m: Mention, segment: str) -> bool:
    after = text[m.span[1] : m.span[1] + 8]
    clause = _CLAUSE_SPLIT.split(segment)[-1]  # the figure's own clause, up to the figure
    chinese = not any(ch.isdigit() for ch in m.text)
    if m.kind is Kind.BARE and (m.scale <= 1e4 or m.scale >= 1e8 or _LABEL_AFTER.match(after)):
        # 投资超50亿, 带动超100亿的产业投资: 亿 of money, unit as written
        money_of = m.scale == 1e8 and (
            _MONEY_WORD.search(clause) or (after.startswith("的") and _MONEY_WORD.search(after))
        )
        if not money_of:
            return True  # 3千亿梯队, 万亿俱乐部: labels; 4万亿, 年薪20万 with no unit are too loose to report
    threshold = m.qualifier in _THRESHOLD_QUALIFIERS and _THRESHOLD_NOUN_AFTER.match(after)
    if m.kind in {Kind.MONEY, Kind.COUNT, Kind.AREA, Kind.BARE} and threshold:
        return True  # 5000万元以上项目, 处以2万元以上罚款: a class by its bound (不少于4000套公共住房 is an amount)
    if m.kind in {Kind.COUNT, Kind.PHYSICAL} and chinese and m.scale <= 1:
        return True  # 三大, 四个, 两台: descriptive words far more often than figures
    if (
        m.kind is Kind.COUNT
        and m.scale <= 1
        and m.unit in _RANK_UNITS
        and (_RANK_BEFORE.search(segment) or not _COUNTED_AFTER_NOUN.match(after))
    ):
        return True  # 第3名, 上升2位, 3000多名会员: a rank, or a count before a noun the rules cannot name
    if m.kind in {Kind.MONEY, Kind.BARE} and _PENALTY.search(clause):
        return True  # 最高罚50万元, 处以2万元罚款: legal penalties, not economic figures
    if _in_quotes(text, m) and m.kind not in {Kind.PERCENT, Kind.MONEY}:
        return True  # “开放十条”, “3千亿梯队”: names, not figures
    if m.kind is Kind.COUNT and m.unit == "大" and m.value >= 100:
        return True  # 台湾5000大企业, 500大: a ranking's name, not a count
    if m.kind is Kind.MONEY and not any(ch.isdigit() for ch in m.text) and _CLASS_NOUN.match(after):
        return True  # 规模以上亿元企业数达284家, 亿元项目: a class named by its size, not an amount
    if m.kind is Kind.COUNT and _CLASSIFICATION_SET.match(text, m.span[1]):
        return True  # 38个大类行业中32个实现增长: the size of a classification, not a figure
    if m.kind is Kind.COUNT and m.unit == "大" and _KINDS_LISTED.match(after):
        return True  # 6大展区分别为：…: how many kinds a list names
    if m.kind is Kind.COUNT and (_RANKED_SET_BEFORE.search(segment) or _RANKING_AFTER.match(text, m.span[1])):
        return True  # 租用成本最高的50个市场, 50个写字楼市场排名中: the ranking's size, not a figure
    if m.kind is Kind.COUNT and _LISTED_KINDS_AFTER.match(after) and "、" in _comma_clause(text, m.span[0]):
        return True  # 工业增加值、工业投资3项指标增速全市第一: how many items the list before names
    if m.kind is Kind.COUNT and m.unit in ("例", "种", "类") and (m.unit == "例" or segment.endswith("等")):
        return True  # 新增10例 (cases of illness); 白血病、血友病等11种 (how many kinds a list names)
    if m.kind is Kind.COUNT and _PLACES_AFTER.match(after) and _WHOLE_SET_BEFORE.search(segment[-6:]):
        return True  # 广东省21个地级市, 全国31个省份, 对24个城市: the set compared, not a figure about it
    if m.kind is Kind.COUNT and (_REFERENCE_BEFORE.search(segment) or _ONE_OF.match(text, m.span[1])):
        return True  # 这3家企业: figures named before; 15条重点产业链之一: a label, not a count
    if _BAND_AFTER.match(after):
        return True  # 单位可以在各5%至7%范围内: a band restated, not a figure
    bound = m.qualifier in _BOUND_WORDS or _BOUND_BEFORE.search(segment)
    if bound and _NORM_SOURCE.search(text, max(0, m.span[0] - 160), m.span[0]):
        return True  # 《条例》明确，绿地率不低于30%: a regulation's floor, not a measured figure
    if m.kind is Kind.COUNT and _ATTENDANCE.match(after):
        return True  # 共计24人参加培训: who came to a meeting, not an economic figure
    if m.unit in _DURATIONS and not _DURATION_NAME.search(clause):
        return True  # 连续6个月, 历时13天, 黄金周7天: how long something lasted, not a measured figure
    # 完成首届招生，校企共建研发中心2560家: words of meetings in the clause before do not count
    return m.kind is Kind.COUNT and bool(_NOT_ECONOMIC.search(clause[-12:] + after[:4]))


_BOUND_BEFORE = re.compile(r"(?:不得|应当|应)(?:低于|少于|高于|超过)$|(?:不低于|不少于|不高于|不超过|不小于|不大于)$")
_BOUND_WORDS = {"不低于", "不少于", "不超过", "至少"}
_NORM_SOURCE = re.compile(r"(?:条例|规定|办法|细则|规范|标准)[》」]?(?:明确|规定|要求)")
_CLASS_NOUN = re.compile(r"^(?:级|以上)?(?:企业|项目|工程|大项目|产业|园区|乡镇|村)")
_CLASSIFICATION_SET = re.compile(r"[\u4e00-\u9fff]{0,6}(?:行业|大类|门类|中类|小类)[\u4e00-\u9fff]{0,2}中")
_LISTED_KINDS_AFTER = re.compile(r"^(?:主要)?(?:指标|产业|行业|领域|任务|工作|措施)")
_KINDS_LISTED = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:分别为|分别是|包括|是)[：:]")
_RANKED_SET_BEFORE = re.compile(r"最[\u4e00-\u9fff]{1,3}的$")
_RANKING_AFTER = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:排名|排行榜|榜单)")
_REFERENCE_BEFORE = re.compile(r"(?:这|那|该|此|上述|前述|这些|那些)$")
_ONE_OF = re.compile(r"[^，,。；;、]{0,12}?之一")
_BAND_AFTER = re.compile(r"^(?:[至到\-~～—]各?[\d.]+%?)?的?(?:范围内|区间内)")
_PLACES_AFTER = re.compile(
    r"^(?:省份|省区市|省市区|省市|大中城市|大城市|[一二三四]线城市|城市|地级市|地市|市州|县市区|县区|区县)"
)
_WHOLE_SET_BEFORE = re.compile(r"(?:全国|全省|全市|全区|对|在|月份?|[省市区县国])$")
_DURATIONS = {"天", "小时", "个月", "个工作日", "工作日"}
# A duration is a figure when a clause names what it measures (回收期为38天, 审批时限不超过10个工作日).
_DURATION_NAME = re.compile(r"期|时限|天数|时长|时间|周期|用时|耗时")


_GLUE = re.compile(r"\s*(?:和|与|及|、|,|，|/|以及|或|至|到|-|－|~|～)\s*")
_MONEY_WORD = re.compile(r"投资|资金|收入|产值|总值|增加值|销售额|零售额|零售总额|营收|金额|成交额|融资|贷款|税收|利润")
_RANK_BEFORE = re.compile(r"(?:第|前|后|上升|下降|提升|前进|后退|居|列|排名|排|名次)\s*[\u4e00-\u9fff]{0,2}$")
_COUNTED_AFTER_NOUN = re.compile(r"^(?:[、，,。；;）)]|$)")  # 新引进顶尖人才22名、领军人才189名
_THRESHOLD_NOUN_AFTER = re.compile(r"^的?[\u4e00-\u9fff]")


def _comma_clause(text: str, pos: int) -> str:
    """The text from the last clause mark before ``pos`` to ``pos`` (list marks 、 inside it kept)."""
    start = max(text.rfind(mark, max(0, pos - 80), pos) for mark in "，,。；;：:\n")
    return text[start + 1 : pos]


def _glued(text: str, a: Mention, b: Mention) -> bool:
    return bool(_GLUE.fullmatch(text[a.span[1] : b.span[0]]))


def _qualifier(m: Mention, segment: str) -> str | None:
    target = _TARGET.search(segment)
    if target:
        return "预计" if target.group() == "预计" else "目标"
    return m.qualifier


# A "name" made only of function words, verbs of reaching and generic nouns names nothing
# (东莞要, 终于, 或超过, 这省份中): the figure belongs to the subject being talked about.
_EMPTY_NAME = re.compile(
    r"^(?:或|这|那|该|其|终于|已经|肯定|会|将|要|可|能|仅|只|共|超过|突破|达到|迈上|站上|跨过|省份|其中|中|的|了|也|还|继续|保持|持续|仍然|依然)+$"
)


def _with_subject(name: str, state: _State) -> str:
    if _EMPTY_NAME.match(name) and state.subject:
        return state.subject
    if (not name or _SHARE_OR_RATE_START.match(name)) and state.subject and not name.startswith(state.subject):
        return state.subject + name
    return name


def _respective_names(segment: str, n: int) -> list[str]:
    """集成电路、笔记本电脑、电工器材、太阳能电池分别出口 with 4 amounts -> 集成电路出口, 笔记本电脑出口, …"""
    before, _, after = segment.rpartition("分别")
    items, _, _ = _strip_prefixes(_PUNCT.sub("", _LIST_CLAUSE_SPLIT.split(before)[-1]))
    if n == 2 and items.startswith("城乡") and len(items) > 2:  # 城乡居民人均可支配收入分别达到…: urban, rural
        items = f"城镇{items[2:]}、农村{items[2:]}"
    parts = [p for p in re.split(r"[、和及与]", items) if p]
    if len(parts) != n or any(len(p) < 2 for p in parts):
        return []
    tail = _TRAIL.sub("", _PUNCT.sub("", after))
    return [_canonical(p + tail) for p in parts]


def _level(
    text: str, segment: str, seg_start: int, m: Mention, state: _State, context: ArticleContext
) -> Candidate | None:
    if state.respective:  # the next name of a list before 分别
        phrase = state.respective.pop(0)
        state.note(phrase)
        return Candidate(phrase, m.value, _unit_of(m), None, (_clause_start(text, seg_start, m.span[0]), m.span[1]),
                         _qualifier(m, segment))  # fmt: skip
    per = _PER_BEFORE.search(segment) if m.kind is Kind.MONEY else None
    phrase, _, _ = _phrase(segment[: per.start()] if per else segment)
    after = _PUNCT.sub("", text[m.span[1] : m.span[1] + 20])
    growth: float | None = None
    value: float | None = m.value
    unit: str | None = m.unit or None
    unit = _unit_of(m)
    if per is not None and unit:  # 拾花指导价为每公斤1.8元: a price, 元/公斤
        unit = f"{unit}/{per.group(1)}"
    if m.kind in {Kind.PERCENT, Kind.TENTHS}:
        follow = _FOLLOW_GROWTH.match(after)
        pct = m.value * 10 if m.kind is Kind.TENTHS else m.value
        share_of = re.match(r"^的((?:GDP|[\u4e00-\u9fff]){2,6}?)(?=[，,。；;、]|$)", after)
        if follow:  # 14.3%的GDP增速, 6%的经济增长目标; 实现38.6%的增长
            own = _SPEED_ADVERB.sub("", _name(follow.group(1)))  # 30%以上的快速增长: the growth, not 快速
            # 商品零售在上年同期18.0%的高增速: the name before; 浦西以13%的增长率: the subject's
            phrase = own if not _GROWTH_WORD_ONLY.fullmatch(own) else ("" if phrase.endswith("以") else phrase)
            stem = _GROWTH_SUFFIX.sub("", phrase)  # 成本同比增长: the growth of 成本
            phrase = stem if len(stem) >= 2 else phrase
            growth, value, unit = pct, None, None
        elif share_of and len(phrase) <= 4 and m.qualifier not in _THRESHOLD_QUALIFIERS and not phrase.endswith("率"):
            # 以5%的能耗产出了6.4%的GDP (空置率保持在10%以下的办公楼市场: the rate's own name)
            phrase = _canonical(share_of.group(1)) + "占比"
        elif verb := _RATE_VERB.fullmatch(_PUNCT.sub("", _CLAUSE_SPLIT.split(segment)[-1])):
            base = state.sentence_names[-1] if state.sentence_names else state.subject or ""
            phrase = base + verb.group(1) + "率"  # 计划投资232亿元，完成63.5%: a completion rate
        elif _GROWTH_NAME.search(phrase) or (not phrase and state.subject and m.direction_word is None
                                              and _GROWTH_NAME.search(segment)):  # fmt: skip
            growth, value, unit = pct, None, None  # 增速从4.7%下降到3.8%: levels of a growth rate
        elif not phrase and state.last_growth and m.direction_word is None:
            growth, value, unit = pct, None, None  # 广州（8.2%）和上海浦东（7.5%）: more places' rates
            phrase = state.last_growth
        elif m.direction_word is None and _GROWTH_VERB_END.search(phrase):
            growth, value, unit = pct, None, None  # 两年平均增长达到4.50%: a rate of growth, reached
            phrase = _GROWTH_VERB_END.sub("", phrase)  # 同比增长达到30.1%: the subject's growth
    elif m.kind is Kind.POINTS and m.direction_word and not phrase.endswith(m.direction_word):
        phrase += m.direction_word
    elif m.kind in {Kind.COUNT, Kind.BARE} or (m.kind is Kind.MONEY and (len(phrase) < 2 or after.startswith("的"))):
        follow_name = _following_noun(text, m.span[1], money=m.kind is Kind.MONEY)
        ends_with_list = segment.rstrip().endswith(("的", "等"))
        if follow_name and (len(phrase) <= 4 or ends_with_list):
            phrase = (phrase if len(phrase) <= 4 and not ends_with_list else "") + follow_name
    elif m.kind in {Kind.AREA, Kind.PHYSICAL, Kind.MONEY} and _MAKING_VERB.search(_CLAUSE_SPLIT.split(segment)[-1]):
        made = _made_noun(text, m.span[1])  # 建成48万平方米共17栋安置房, 拥有1500亿元化妆品产值规模: what was made
        if made and (m.kind is not Kind.MONEY or _MONEY_WORD.search(made) or made.endswith("规模")):
            phrase = made + ("面积" if m.kind is Kind.AREA and not made.endswith("面积") else "")
    if not phrase and m.kind in {Kind.AREA, Kind.PHYSICAL} and (pending := _PENDING_AFTER.match(after)):
        # 仍有7-8万亩需人工采摘: the work still to do names the amount
        phrase = pending.group(1) + ("面积" if m.kind is Kind.AREA else "")
    if m.kind in _NAMED_KINDS and _NO_NAME.fullmatch(phrase):  # 下滑至34兆亿元, （约新台币6626亿元）
        phrase = ""
    if not phrase and m.kind in _LEVEL_KINDS and _ROUND_FIGURE_BEFORE.search(segment):
        phrase = _previous_clause_name(segment)  # 工业总产值突破万亿，达10051.6亿元: the round figure's name
    if (phrase.startswith("占") or not phrase or _EMPTY_NAME.match(phrase)) and not state.sentence_names:
        # 服务业主导市场需求，占总成交面积约68%; 市场规模将稳定增长，2023年预计将突破5100亿元: the clause before
        before = _previous_clause_name(segment)
        if before and phrase.startswith("占") and not _region_like(before):
            phrase = before + phrase
        elif before and _MEASURE_END.search(before):
            phrase = before
    phrase = _with_subject(phrase, state)
    if m.kind is Kind.PERCENT and value is not None:
        # 增加值的两年平均增速从4.7%下跌至3.80%: an average rate; 地区生产总值增长7%以上、力争达到8%: a
        # percent of an amount is its growth
        average = re.search(r"(?:两年|三年|年)平均$", phrase) is not None
        if average or _is_amount(phrase):
            growth, value, unit = m.value, None, None
            phrase += "增速" if average else ""
    if m.kind is Kind.POINTS and len(phrase) <= 4 and state.subject:
        phrase = state.subject + phrase
    if len(phrase) < 2 or find_mentions(phrase):
        return None
    phrase = _generic_with_sibling(_canonical(phrase), out_names=state.sentence_names)
    if m.kind is not Kind.POINTS:  # 分别高0.7、1.4个百分点: a difference is no new subject
        state.note(phrase)
    return Candidate(
        indicator=phrase,
        value=value,
        unit=unit,
        growth_pct=growth,
        span=(_clause_start(text, seg_start, m.span[0]), m.span[1]),
        qualifier=_qualifier(m, segment),
    )


def _unit_of(m: Mention) -> str | None:
    """The unit as written, with a currency the text declared for its 元 (342亿元（港币，下同）: 亿港元)."""
    unit = m.unit or None
    if unit and m.currency in CURRENCY_WORDS and unit.endswith("元") and not _CURRENCY.search(unit):
        return unit[:-1] + CURRENCY_WORDS[m.currency]
    return unit


def _is_amount(name: str) -> bool:
    """Whether ``name`` is a statistic counted in money (地区生产总值, 固定资产投资): a percent of it is a rate."""
    canonical = canonical_indicator(name)
    found = taxonomy().get(canonical) if canonical else None
    return found is not None and found.kind == "level" and found.unit_family == "money"


_NOT_A_NOUN = re.compile(r"^(?:为首|居首|居冠|为主|最多|较多|居多|领先)$")


def _following_noun(text: str, pos: int, *, money: bool = False) -> str | None:
    after = _PUNCT.sub("", text[pos : pos + 24].split("\n", 1)[0])  # 3个专场 as a heading names nothing after
    m = (_FOLLOW_NOUN if money else _COUNT_FOLLOW).match(after)
    if not m:
        return None
    noun = _ECON_FOLLOW_STOP.sub("", m.group(1) if money else m.group())
    if not money:
        noun = (noun[:2] + _FOLLOW_STOP.sub("", noun[2:]))[:10]
    noun = _TRAIL.sub("", noun)
    return _canonical(noun) if len(noun) >= 2 and not _NOT_A_NOUN.match(noun) else None


_PER_BEFORE = re.compile(r"每(公斤|千克|斤|吨|平方米|平米|亩|立方米|升|千瓦时|度)$")
_PENDING_AFTER = re.compile(r"^((?:尚需|仍需|还需|需要|需|待)[\u4e00-\u9fff]{2,8})(?=[，,。；;]|$)")
# A verb of building, holding or reaching written right before an amount whose noun comes after it.
_MAKING_VERB = re.compile(r"(?:建成|建设|新建|改造|包括|拥有|形成|打造|达到|带来|创造)$")
_MADE_LEAD = re.compile(
    r"^(?:共|计|合计)?(?:[0-9]+[栋套间座个处幢]|[0-9零一二三四五六七八九十百千万]+[\u4e00-\u9fff]{0,3}级)?"
)


def _made_noun(text: str, pos: int) -> str | None:
    """The noun an amount is of when it stands after it up to the clause's end (共17栋安置房 -> 安置房)."""
    after = _PUNCT.sub("", text[pos : pos + 30].split("\n", 1)[0])
    after = after[_MADE_LEAD.match(after).end() :]  # type: ignore[union-attr]  # the pattern matches empty
    m = _FOLLOW_NOUN.match(after)
    if not m or find_mentions(m.group(1)):
        return None
    noun = _TRAIL.sub("", _ECON_FOLLOW_STOP.sub("", m.group(1)))
    return _canonical(noun) if len(noun) >= 2 else None


def _clause_start(text: str, seg_start: int, number_start: int) -> int:
    """Where the evidence starts: the clause holding the phrase, within the segment."""
    segment = text[seg_start:number_start]
    cut = max(segment.rfind(ch) for ch in "，,：:（(")
    return seg_start + cut + 1 if cut >= 0 else seg_start


def _attach_rates(
    text: str,
    segment: str,
    seg_start: int,
    run: list[Mention],
    out: list[Candidate],
    pending: list[int],
    state: _State,
    context: ArticleContext,
) -> list[Candidate]:
    """Give the rates of ``run`` to pending levels, or make records of their own."""
    word = run[0].direction_word or ""
    cut = segment.rfind(word) if word else -1
    before_word = segment[:cut] if cut >= 0 else segment
    last_clause = _PUNCT.sub("", _CLAUSE_SPLIT.split(before_word)[-1])
    month_on_month = word in ("增", "减") and last_clause in ("月", "季")  # 月增5.1%: on the month before
    comparison_only = bool(_COMPARISON_ONLY.match(_strip_prefixes(last_clause)[0])) and not month_on_month
    if comparison_only and pending and (len(run) == 1 or len(pending) >= len(run)):
        targets = pending[-len(run) :]
        for idx, rate in zip(targets, run, strict=True):
            cand = out[idx]
            out[idx] = replace(cand, growth_pct=_as_pct(rate), span=(cand.span[0], max(cand.span[1], rate.span[1])))
            pending.remove(idx)
        return []
    own, _, _ = _phrase(before_word, keep_lists=len(run) > 1)
    if word in ("升值", "贬值") and _CURRENCY.fullmatch(own):
        own += word  # 新台币升值6.5%: the currency's rise
    if not own or _region_like(own):
        own = _previous_clause_name(before_word)
    records = []
    if _region_like(own):
        own = ""
    names = _list_names(own, len(run))
    split = _list_parts(own, len(run))
    if split is not None:
        state.list_items = [item + split[1] for item in split[0]]
    elif len(run) > 1 and len(state.list_items) == len(run) and "分别" in segment:
        # 汽车、电气、电子和电力…，两年平均增速分别为…: the same items, another measure
        measure = _TRAIL.sub("", _PUNCT.sub("", _CLAUSE_SPLIT.split(segment)[-1]).replace("分别", ""))
        names = [item + (measure or own) for item in state.list_items]
    for rate, name in zip(run, names, strict=True):
        if rate.kind is Kind.MULTIPLE:  # 增长2.5倍 standing alone: a multiple, written as such
            multiple = _level(text, segment, seg_start, replace(rate, direction_word=None), state, context)
            if multiple is not None:
                records.append(replace(multiple, indicator=_with_subject(name, state) if name else multiple.indicator))
            continue
        indicator = name
        if re.match(r"^(?:两年|三年|年)?平均", indicator or "x") and state.subject:
            indicator = state.subject + indicator + ("" if _GROWTH_NAME.search(indicator) else "增速")
        indicator = _with_subject(indicator, state)
        if month_on_month and "环比" not in indicator:
            indicator += "环比"
        if len(indicator) < 2:
            continue
        state.note(name)
        records.append(
            Candidate(
                indicator=_canonical(indicator),
                value=None,
                unit=None,
                growth_pct=_as_pct(rate),
                span=(_clause_start(text, seg_start, rate.span[0]), rate.span[1]),
                qualifier=_qualifier(rate, segment),
            )
        )
    return records


def _as_pct(rate: Mention) -> float:
    sign = -1 if rate.direction < 0 else 1
    if rate.kind is Kind.TENTHS:
        return abs(rate.value) * 10 * sign
    if rate.kind is Kind.MULTIPLE:
        return abs(rate.value) * 100 * sign
    return rate.signed_value


_MEASURE_WORD = re.compile(
    r"商品零售|零售额|零售|销售额|销售|产值|增加值|投资|出口|进口|进出口|产量|收入|利润|营收|累计|增速|增幅|增长"
)


def _list_names(phrase: str, n: int) -> list[str]:
    """``化工、汽车制造、电子信息等重点行业产值`` with 3 rates -> one name per rate."""
    split = _list_parts(phrase, n)
    if split is None:
        return [phrase] * n
    items, tail = split
    return [item if tail and item.endswith(tail) else item + tail for item in items]  # 工业投资、民间投资


def _list_parts(phrase: str, n: int) -> tuple[list[str], str] | None:
    """The ``n`` items of a list phrase and the tail they share, or None when it lists another number."""
    if n == 1:
        return None
    head = re.sub(r"等.*$", "", phrase)
    tail_m = re.search(r"等(?:重点)?(?:行业|产业|领域)?(.*)$", phrase)
    tail = tail_m.group(1) if tail_m else ""
    parts = [p for p in re.split(r"[、和及与]", head) if p]
    if len(parts) != n:
        return None
    if not tail_m:
        # The shared tail is glued to the last item where a measure begins: 汽车、电气和电力累计增速 ->
        # 电力 + 累计增速, 通讯器材类商品零售; after one-character items at the second (猪、牛出栏); else
        # the items are whole (基本金属、塑橡胶制品).
        measure = _MEASURE_WORD.search(parts[-1], 2)
        width = measure.start() if measure else 1 if all(len(p) == 1 for p in parts[:-1]) else len(parts[-1])
        parts[-1], tail = parts[-1][:width], parts[-1][width:]
    return parts, re.sub(r"(?:累计|同比|分别)?(?:增速|增幅|增长|同比)?$", "", tail)


def _dedupe(cands: list[Candidate], text: str) -> list[Candidate]:
    """Drop title candidates whose figure the body states again under a similar name."""
    seen: dict[tuple[str, float | None, str | None, float | None], set[str | None]] = {}
    unique = []
    for cand in cands:
        # 上海和深圳分别上涨0.2%: the same numbers of another place named in the evidence are another fact
        place = _leading_place(_PUNCT.sub("", text[cand.span[0] : cand.span[1]]))
        places = seen.setdefault((cand.indicator, cand.value, cand.unit, cand.growth_pct), set())
        if not places or (place is not None and None not in places and place not in places):
            places.add(place)  # not the same fact stated twice
            unique.append(cand)
    cands = unique
    title_end = text.find("\n")
    if title_end < 0:
        return cands
    body = [c for c in cands if c.span[0] >= title_end]
    keep = []
    for cand in cands:
        if cand.span[0] < title_end and any(
            _same_numbers(cand, b) and dice(cand.indicator, b.indicator) >= 0.3 for b in body
        ):
            continue
        keep.append(cand)
    return keep


def _same_numbers(a: Candidate, b: Candidate) -> bool:
    return a.value == b.value and a.unit == b.unit and a.growth_pct == b.growth_pct


class RulesBackend:
    """The offline default: :func:`extract_candidates` as claims, evidence = the cleaned span."""

    name = "rules"

    def propose(self, doc_id: str, cleaned: Cleaned, context: ArticleContext) -> Proposal:
        claims = tuple(
            Claim(
                indicator=c.indicator,
                value=c.value,
                unit=c.unit,
                growth_pct=c.growth_pct,
                evidence=cleaned.text[c.span[0] : c.span[1]],
                qualifier=c.qualifier,
            )
            for c in extract_candidates(cleaned.text, context)
        )
        return Proposal(claims=claims, meta={"backend": self.name, "model": None, "prompt_hash": None})
