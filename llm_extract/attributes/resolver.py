"""A figure's place and time: resolved from where it stands in the article, or checked when claimed.

For each figure the region is the place named in its own clause, else in its sentence, else in
its paragraph's lead sentence, else the article's main place; ``全市``, ``该区``, ``我市`` stand for
the main place, and a place that the figure is only compared with (``高于全省``) is skipped. The
period is read the same way, with a section heading (``一、1-5月全市经济运行情况``) between the
paragraph and the article. A period written without its year takes the year of the nearest
period before it in the sentence, else of the paragraph lead, else of the article's main period.

The article's main place comes from its title and its first paragraph. The place of a news
agency's dateline (``本报北京4月16日电``, ``记者X／台北报导``) is where the report was filed: it is never a
figure's place, and it is the main place (as its province) only of a text naming no other place at
home, unless a state office speaks for the nation (``国家统计局``); under a Taiwan, Hong Kong or Macao
dateline the mainland is the other side. Its main period comes from the title, else a report's
subject year (a 统计公报 or 政府工作报告 reports on the year before it is delivered), else the first
paragraph (its first sentences, in a body written as one long paragraph), else the dateline year.

:class:`Resolver` does this for one cleaned article; :meth:`Resolver.check` normalises a region
and period that a model claimed and says what is wrong with them (a place the article never
names, a period whose year is written nowhere).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from llm_extract.attributes.periods import Period, PeriodMention, find_periods, parse_period
from llm_extract.attributes.places import NATION, Division, Place, PlaceMention, find_places, place_of, resolve_region
from llm_extract.figures.numbers import find_mentions, to_ascii_digits
from llm_extract.text.context import dateline_month, dateline_year, title_of
from llm_extract.types import Claim, Cleaned, Verification

__all__ = [
    "FIELDS", "Attributes", "MainAttributes", "Resolver", "figure_position", "main_attributes", "resolver_for",
]  # fmt: skip

_CLAUSE_END = re.compile(r"[，,；;：:。！？!?\n]")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|\d+[.、])"
)
_OPENING = re.compile(
    r"^(?:据统计|据介绍|据悉|数据显示|其中|同时|此外|另外|目前|在|据|全年|同期|而|但|与此同时|以|其次是)+"
)
_PLAN_OPENING = re.compile(r"^(?:建议|预计|计划|力争|争取|确保)")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;，,]")
_PLAN = re.compile(r"[一二三四五六七八九十]五[”\"’]?(?:期间|时期|以来|规划期)")
_THAT_DAY = re.compile(r"当天|当日")
_TOTAL_SO_FAR = re.compile(r"累计")
_PLAN_AMOUNT = re.compile(r"(?:年度)?计划(?:投资|完成|实现)")  # not 计划总投资: a project's size
_YET_TO_DO = re.compile(r"将|力争|争取|确保|拟|(?<![主重需只不想])要(?![求素点闻害件])")
_CHINESE_COUNT = ("零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十")
_EVENT_LEAD = re.compile(r"(?:至\d{1,2}日)?[，,]")
_BASE_YEAR_BEFORE = re.compile(r"(?:较|比|由|从)((?:19|20)\d\d年)的?$")
_BETWEEN_PLACE_AND_FIGURE = re.compile(r"(?:同期|平均|的)*")
_FIGURE_TAIL = re.compile(r"[\d.,，%％个百分点亿万元]*")
_DIGIT = re.compile(r"[0-9０-９]")
_SAID = re.compile(r"(?:表示|指出|介绍|透露|称|说)[，,：:]")
_YEAR_START = re.compile(r"^(?:19|20)\d\d")
_COMPARISON_BASE = re.compile(r"(?:比|较|与|同)((?:19[5-9]|20[0-4])\d)年同期")
_REPORT = re.compile(r"统计公报|政府工作报告|工作报告|国民经济和社会发展")
_WORK_REPORT = re.compile(r"政府工作报告")
_YEAR_IN = re.compile(r"(?:19[5-9]\d|20[0-4]\d)(?=年)")


# A record's place and time fields, in output order.
FIELDS = (
    "region",
    "region_code",
    "province",
    "city",
    "county",
    "period",
    "period_start",
    "period_end",
    "period_kind",
)


@dataclass(frozen=True, slots=True)
class Attributes:
    """A record's place and time, as written to outputs."""

    place: Place | None
    period: Period | None

    def fields(self) -> dict[str, Any]:
        """The :data:`FIELDS` of a record, None where unknown."""
        out: dict[str, Any] = dict.fromkeys(FIELDS)
        if self.place is not None:
            out.update(self.place.fields())
        if self.period is not None:
            out.update(self.period.fields())
        return out


@dataclass(frozen=True, slots=True)
class MainAttributes:
    """What an article is about as a whole: its main place, main period and dateline year."""

    place: Place | None
    period: Period | None
    dateline_year: int | None
    dateline_month: tuple[int, int] | None = None  # (year, month) of a numeric dateline
    period_from_dateline: bool = False  # the text names no period of its own: the dateline's year


def main_attributes(
    text: str, places: list[PlaceMention], periods: list[PeriodMention], bylines: Sequence[PlaceMention] = ()
) -> MainAttributes:
    """The article's main place and period (see the module docstring). ``bylines``: the places of
    its datelines (``记者X／台北报导``), whose province is the main place of a text naming no other
    place at home."""
    found_title, title_end = title_of(text)
    title = found_title or ""
    dateline = dateline_year(text) or _text_year(text, periods)
    lead_end = _lead_end(text, title_end)
    place = _main_place(text, title, title_end - len(title) if title else 0, lead_end, places)
    if place is None:
        place = _place_of_currency(text)
    home = next((pm.place.division for pm in bylines if pm.place is not None and pm.place.division), None)
    if home is not None:
        state = _NATIONAL_BODY.search(text) is not None
        # 本报北京4月16日电 国家统计局…: the nation's figures; 台北报导 on export orders counted abroad: Taiwan's;
        # 台北20日电 … 中国大陆及香港订单: the mainland is the other side
        apart = place is NATION and home.chain[0].name in _WRITTEN_APART and not state
        if place is None or place.abroad or apart:
            place = NATION if state else place_of(home.chain[0])
    named = _period_named(text, title, title_end, lead_end, periods, dateline)
    return MainAttributes(place=place, period=named or _period_unnamed(periods, dateline), dateline_year=dateline,
                          dateline_month=dateline_month(text),
                          period_from_dateline=named is None and dateline is not None)  # fmt: skip


def _text_year(text: str, periods: list[PeriodMention]) -> int | None:
    """With no dateline: the year the text itself names most often (in periods of a year or less),
    else the year after a comparison base (比2005年同期增长: the figures are of 2006)."""
    years = Counter(
        pm.period.start_year
        for pm in periods
        if pm.period.start_year is not None and pm.period.kind not in ("span", "target") and not pm.period.day
    )
    if years:
        return years.most_common(1)[0][0]
    bases = Counter(int(y) + 1 for y in _COMPARISON_BASE.findall(text))
    return bases.most_common(1)[0][0] if bases else None


def _lead_end(text: str, title_end: int) -> int:
    """End of the first paragraph of the body (at least 80 characters of it)."""
    pos = title_end
    while pos < len(text):
        nl = text.find("\n", pos + 1)
        end = len(text) if nl < 0 else nl
        if len(text[title_end:end].strip()) >= 80:
            return _lead_sentences_end(text, pos, end)
        pos = end
    return _lead_sentences_end(text, pos, len(text))


_LEAD_MAX = 300  # a body written as one long paragraph (a crawl record's content): its first sentences lead


def _lead_sentences_end(text: str, start: int, end: int) -> int:
    """``end``, or in a paragraph longer than :data:`_LEAD_MAX` the end of the sentence that reaches it."""
    if end - start <= _LEAD_MAX:
        return end
    stop = _SENTENCE_END.search(text, start + _LEAD_MAX, end)
    return stop.end() if stop else end


def _main_place(text: str, title: str, title_start: int, lead_end: int, places: list[PlaceMention]) -> Place | None:
    """The place the title and first paragraph name that the whole text names most; a place
    inside it wins when the text names that one at least half as often (大连 … 甘井子区)."""
    # Places abroad are an article's subject only when it names no place at home (俄罗斯文化节 in 哈尔滨).
    home = [pm for pm in places if pm.place is not None and not pm.place.abroad]
    places = home or places
    own = [pm.place for pm in places if pm.place is not None and not pm.compared]
    if not home:  # abroad only: the currency the figures are counted in names their economy too
        own += _places_of_currency(text)
    head = [pm.place for pm in places if pm.place is not None and not pm.compared and pm.span[0] < lead_end]
    pool = (head or own) if home else own
    if not pool:
        return None
    freq = Counter(p.name for p in own)
    by_name = {p.name: p for p in pool}
    # A portal title reads "headline_section_site": the headline's own place comes first.
    segment_end = title_start + len(re.split(r"[_|｜]| - ", title)[0]) if title else 0
    tag = re.match(r"\s*[【\[][^】\]]*[】\]]", title) if title else None  # 【武汉肺炎】: a column tag, not the subject
    segment_start = title_start + (tag.end() if tag else 0)
    in_title = [pm.place for pm in places if pm.place is not None and not pm.compared
                and segment_start <= pm.span[0] and pm.span[1] <= segment_end]  # fmt: skip
    most_named = max(by_name.values(), key=lambda p: (freq[p.name], -pool.index(p)))
    best = _most_precise(in_title) if in_title else most_named
    for place in by_name.values():
        inside = (
            place is not best
            and place.division is not None
            and best.division is not None
            and place.division.within(best.division)
        )
        if inside and freq[place.name] * 2 >= freq[best.name]:
            best = place
    return best


# A local currency names its economy: an article that names no place at all but counts in 新台币
# is about Taiwan (a mainland article would name its place; 港元 and 美元 are quoted everywhere).
_LOCAL_CURRENCY = (("新台币", "台湾"), ("澳门元", "澳门"), ("澳门币", "澳门"))


# In an article that names no place at home, amounts in a country's currency are that economy's
# (Sun … 74亿美元 with 俄罗斯 named once as a regulator: the article is about the United States).
_FOREIGN_CURRENCY = re.compile(r"美元|日元|英镑|卢布|韩元")
_CURRENCY_COUNTRY = {"美元": "美国", "日元": "日本", "英镑": "英国", "卢布": "俄罗斯", "韩元": "韩国"}


def _places_of_currency(text: str) -> list[Place]:
    found = [resolve_region(_CURRENCY_COUNTRY[m.group()]) for m in _FOREIGN_CURRENCY.finditer(text)]
    return [p for p in found if p is not None]


def _place_of_currency(text: str) -> Place | None:
    for currency, region in _LOCAL_CURRENCY:
        if currency in text:
            return resolve_region(region)
    return None


def _most_precise(places: list[Place]) -> Place:
    """Of the places a title names, the deepest of the first one's chain (大连 … 甘井子区 -> 甘井子区)."""
    first = places[0]
    for place in places[1:]:
        if place.division is not None and first.division is not None and place.division.within(first.division):
            first = place
    return first


def _period_named(
    text: str,
    title: str,
    title_end: int,
    lead_end: int,
    periods: list[PeriodMention],
    dateline_year: int | None,
) -> Period | None:
    """The period the title, a report's kind or the lead names."""

    def resolved(p: Period) -> Period:  # the dateline's year for 今年, or for a period without one
        if p.relative is not None:
            return parse_period(p.text, dateline_year=dateline_year) or p
        return p.in_year(dateline_year)

    in_title = [
        pm.period for pm in periods if pm.span[1] <= title_end and pm.period.kind != "current" and not pm.period.day
    ]
    head = text[: max(lead_end, title_end)]
    if _REPORT.search(head):
        years = [int(y) for y in _YEAR_IN.findall(title)]
        if years and not _WORK_REPORT.search(head):
            return Period(f"{years[0]}年", "year", years[0], 1, years[0], 12)
        if _WORK_REPORT.search(head):
            delivered = years[0] if years else dateline_year
            if delivered is not None:
                year = delivered - 1  # a work report looks back on the year before it is delivered
                return Period(f"{year}年", "year", year, 1, year, 12)
    if in_title:
        with_year = [p for p in in_title if p.has_year or p.relative is not None]
        return resolved((with_year or in_title)[0])
    in_lead = [
        pm.period
        for pm in periods
        if title_end <= pm.span[0] < lead_end and pm.period.kind not in ("current", "target") and not pm.period.day
    ]
    if in_lead:
        return resolved(in_lead[0])
    for pm in periods:  # 3月8日至10日，…音乐节如约而至: an event's report, its figures are of that month
        day = pm.period
        opens_lead = (
            title_end <= pm.span[0] < lead_end
            and day.day
            and day.start_month is not None
            and text.rfind("\n", 0, pm.span[0]) + 1 == pm.span[0]
            and _EVENT_LEAD.match(text, pm.span[1])
        )
        held = resolved(day).start_year if opens_lead else None
        if held is not None and day.start_month is not None:
            return Period(f"{held}年{day.start_month}月", "month", held, day.start_month, held, day.start_month)
    return None


def _period_unnamed(periods: list[PeriodMention], dateline_year: int | None) -> Period | None:
    """The main period of a text whose title and lead name none: its dateline's year, else the
    first period it names."""
    if dateline_year is not None:
        return Period(f"{dateline_year}年", "year", dateline_year, 1, dateline_year, 12)
    anywhere = [pm.period for pm in periods if pm.period.kind not in ("current", "target") and not pm.period.day]
    return anywhere[0] if anywhere else None  # no year anywhere: the first period the text names


# The state's statistical and economic offices: their releases are the nation's figures.
_NATIONAL_BODY = re.compile(
    r"国家统计局|国务院|海关总署|国家发展改革委|国家发改委|商务部|财政部|中国人民银行|国家税务总局|工业和信息化部|工信部"
)
_WRITTEN_APART = {"台湾省", "香港特别行政区", "澳门特别行政区"}  # 大陆 there is the other side
_BYLINE_AFTER = re.compile(
    r"\s*(?:(?:[0-9０-９一二三四五六七八九十]{1,3}月)?[0-9０-９一二三四五六七八九十]{1,3}日)?(?:电|讯|报导|报道)(?![称说])"
)


class Resolver:
    """Resolves and checks the region and period of figures in one cleaned article."""

    def __init__(self, text: str) -> None:
        self.text = text
        # 本报北京4月16日电, 中新网乌鲁木齐7月11日电, 记者X／台北报导: where the report was filed, not its subject
        found = find_places(text)
        filed = [_BYLINE_AFTER.match(text, pm.span[1]) is not None for pm in found]
        self.places = [pm for pm, byline in zip(found, filed, strict=True) if not byline]
        bylines = [pm for pm, byline in zip(found, filed, strict=True) if byline]
        self.periods = find_periods(text)
        self.main = main_attributes(text, self.places, self.periods, bylines)
        self._place_starts = [pm.span[0] for pm in self.places]
        self._period_starts = [pm.span[0] for pm in self.periods]
        self._headings = self._find_headings()
        self._clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]
        self._sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        # What the text names, the dateline's place included: a claimed 台湾 stands on 台北20日电.
        self._named_divisions = {p.place.division for p in found if p.place is not None and p.place.division}
        self._bare_text = _bare(text)

    # -- positions ---------------------------------------------------------------------------------

    def _bounds(self, pos: int, ends: list[int]) -> tuple[int, int]:
        """The unit (clause or sentence) around ``pos``; ``ends`` holds the offsets just past each stop."""
        i = bisect.bisect_right(ends, pos)
        start = ends[i - 1] if i else 0
        return start, (ends[i] if i < len(ends) else len(self.text))

    def _paragraph_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def _paragraph_lead(self, pos: int) -> tuple[int, int]:
        p_start = self._paragraph_start(pos)
        i = bisect.bisect_right(self._sentence_ends, p_start)
        return p_start, (self._sentence_ends[i] if i < len(self._sentence_ends) else len(self.text))

    def _find_headings(self) -> list[tuple[int, int]]:
        out = []
        pos = 0
        for line in self.text.split("\n"):
            stripped = line.strip()
            numbered = _HEADING.match(line) and len(stripped) <= 40
            bare = len(stripped) <= 24 and not _SENTENCE_PUNCT.search(stripped)  # 2025年工作安排
            if stripped and (numbered or bare) and "。" not in stripped:
                out.append((pos, pos + len(line)))
            pos += len(line) + 1
        return out

    def _places_in(self, start: int, end: int) -> list[PlaceMention]:
        i = bisect.bisect_left(self._place_starts, start)
        j = bisect.bisect_left(self._place_starts, end)
        return [
            pm for pm in self.places[i:j] if pm.span[1] <= end and not (pm.compared or pm.listed or pm.organisation)
        ]

    def _opens_clause(self, pm: PlaceMention) -> bool:
        """Whether only time words and a few function words stand between its clause's start and it."""
        clause_start, _ = self._bounds(pm.span[0], self._clause_ends)
        before = self.text[clause_start : pm.span[0]]
        for period in self._periods_in(clause_start, pm.span[0]):
            before = before.replace(period.period.text, "")
        return len(_OPENING.sub("", before.strip())) == 0

    def _periods_in(self, start: int, end: int) -> list[PeriodMention]:
        i = bisect.bisect_left(self._period_starts, start)
        j = bisect.bisect_left(self._period_starts, end)
        return [pm for pm in self.periods[i:j] if pm.span[1] <= end]

    @staticmethod
    def _nearest(found: list[Any], pos: int) -> Any:
        before = [x for x in found if x.span[0] < pos]
        return before[-1] if before else (found[0] if found else None)

    # -- resolution --------------------------------------------------------------------------------

    def _place_at(self, start: int, end: int) -> Place | None:
        main = self.main.place
        respective = self._respective_place(start)
        if respective is not None:
            return respective
        compared = self._compared_figure_place(start, end)
        if compared is not None:
            return compared
        scopes = [
            self._bounds(start, self._clause_ends),
            self._bounds(start, self._sentence_ends),
            self._paragraph_lead(start),
        ]
        for n, (s, e) in enumerate(scopes):
            # A country counts only as a clause's subject (出口美国12亿美元 is the article's place's export).
            found = [p for p in self._places_in(s, e) if not (p.place and p.place.abroad) or self._opens_clause(p)]
            # After the figure, a place counts only as a clause's subject: in 年发电量约200亿千瓦时，将对优化
            # 广西能源结构发挥作用 or 6人入选“辽宁省百千万人才工程” it belongs to something else.
            found = [p for p in found if p.span[0] < start or self._opens_clause(p)]
            if n > 0:  # 武汉威莎科技有限公司创始人庄晓威表示，…投资超50亿: who speaks is not what is spoken of
                said = [m.end() for m in _SAID.finditer(self.text, s, start)]
                found = [p for p in found if not said or p.span[0] > said[-1]]
            if n == 0:  # the figure's own clause: the place nearest before it
                pm = self._nearest(found, start)
            else:  # its sentence, its paragraph's lead: the article's own place when named there (the
                # topic goes on), else the subject (a place opening its clause), else the first place that
                # does not just describe a noun (是大连的重大产业承载区)
                pm = (
                    self._subset_before(found, start)
                    or next((p for p in found if p.place is not None and p.place == main), None)
                    or next((p for p in found if self._opens_clause(p)), None)
                    or next((p for p in found if not p.attributive), None)
                )
            if pm is not None:
                return self._referred(pm) if pm.main else pm.place
        return self.main.place

    def _compared_figure_place(self, start: int, end: int) -> Place | None:
        """高于全国同期1.7%的两年平均增速, 超过全国9.8%的水平: the figure is the compared place's own."""
        if not self.text.startswith("的", end) and not self.text.startswith("的", self._figure_end(end)):
            return None
        i = bisect.bisect_left(self._place_starts, max(0, start - 12))
        for pm in self.places[i:]:
            if pm.span[0] >= start:
                break
            if (
                pm.compared
                and pm.place is not None
                and _BETWEEN_PLACE_AND_FIGURE.fullmatch(self.text[pm.span[1] : start])
            ):
                return pm.place
        return None

    def _figure_end(self, end: int) -> int:
        m = _FIGURE_TAIL.match(self.text, end)
        return m.end() if m else end

    def _respective_place(self, start: int) -> Place | None:
        """宁波、青岛、无锡，全年GDP增速分别为8.2%、8.3%、8.6%: the k-th figure after 分别 is the k-th
        place of the list before it."""
        s, _ = self._bounds(start, self._sentence_ends)
        k = self.text.rfind("分别", s, start)
        if k < 0:
            return None
        i = bisect.bisect_left(self._place_starts, s)
        j = bisect.bisect_left(self._place_starts, k)
        run: list[PlaceMention] = []
        for pm in self.places[i:j]:
            if pm.place is None or pm.compared:
                continue
            gap = self.text[run[-1].span[1] : pm.span[0]] if run else ""
            run = [*run, pm] if run and gap in ("、", "和", "及", "与", "，", ",") else [pm]
        if len(run) < 2 or not run[0].listed:
            return None
        index = len(find_mentions(self.text[k:start]))
        return run[index].place if index < len(run) else None

    def _subset_before(self, found: list[PlaceMention], start: int) -> PlaceMention | None:
        """A place introduced as a part of the whole just before the figure (全市签约33个项目，其中阳新签约
        18个项目，签约金额达126.4亿元): the figures after 其中 are that part's."""
        before = [p for p in found if p.span[0] < start and not p.main]
        if before and self.text[max(0, before[-1].span[0] - 2) : before[-1].span[0]] == "其中":
            return before[-1]
        return None

    def _referred(self, pm: PlaceMention) -> Place | None:
        """The place a word like 全市 or 全省 stands for: a place of the word's level named earlier in
        its sentence (广州写字楼市场新增供应3万平方米，全市空置率… is 广州's), else the main place, or
        the division of the word's level that contains it (全省 in an article about a district)."""
        word = self.text[pm.span[0] : pm.span[1]]
        start, _ = self._bounds(pm.span[0], self._sentence_ends)
        for earlier in reversed(self._places_in(start, pm.span[0])):
            if earlier.place is not None and _of_level(earlier.place, word):
                return earlier.place
        main = self.main.place
        if main is None or main.division is None:
            return main
        chain = main.division.chain
        if word.endswith(("省", "自治区")):
            return place_of(chain[0]) if len(chain) > 1 else main
        if word.endswith("市") and main.division.level == 3 and not main.division.name.endswith("市"):
            city = chain[-2]
            return place_of(city) if city.name.endswith("市") else main
        return main

    def _period_at(self, start: int, end: int) -> Period | None:
        base = _BASE_YEAR_BEFORE.search(self.text, max(0, start - 12), start)
        if base is not None:  # 较2015年的2兆5908亿元, 由2015年34兆亿元: the base's own figure
            return parse_period(base.group(1)) or self.main.period
        own_clause = self._bounds(start, self._clause_ends)
        that_day = None if self._periods_in(*own_clause) else self._day_before(start)
        if that_day is not None:
            return that_day
        sentence = self._bounds(start, self._sentence_ends)
        lead = self._paragraph_lead(start)
        paragraph_so_far = (lead[0], sentence[0])  # the sentences before it in its paragraph
        scopes = [self._bounds(start, self._clause_ends), sentence, paragraph_so_far, lead]
        headings = self._headings_before(start)
        scopes.extend(headings)
        for n, (s, e) in enumerate(scopes):
            own, heading = n == 0, n >= 4
            # Outside its own clause a period dates a figure only as a clause's topic (2023年，…) or in a
            # section heading, not inside a noun phrase (推介…2023年政府重大项目); dates and "now" only in
            # its own clause.
            found = [
                pm
                for pm in self._periods_in(s, e)
                if own
                or (
                    not pm.period.day
                    and pm.period.kind != "current"
                    and (n == 1 or pm.period.kind != "same")  # 上年同期 dates its own sentence only
                    and (heading or self._period_is_topic(pm))
                )
            ]
            # 从上半年的4.7%下跌至3.80%: a period before 的 and another figure dates that figure only
            found = [pm for pm in found if not self._dates_another_figure(pm, start)]
            pm = self._nearest(found, start)
            if pm is not None:
                period = self._with_year(pm, sentence, lead)
                return period if own else self._as_of_figure(period, start, from_sentence=n == 1)
        return self._as_of_figure(self.main.period, start, from_sentence=False)

    def _dates_another_figure(self, pm: PeriodMention, start: int) -> bool:
        between = self.text[pm.span[1] : start]
        return between.startswith("的") and _DIGIT.search(between) is not None

    def _as_of_figure(self, period: Period | None, start: int, *, from_sentence: bool) -> Period | None:
        """A period taken from the figure's context, read as the figure's own words say: a total built
        up over the years (累计创建国家现代农业产业园15个 in a report on 2024) is the stock at the year's
        end; a plan (计划投资201亿元 in a report on 1-7月), or what is yet to be done (还将建成…5个 in a
        report on 上半年, from outside its sentence), is the whole year's."""
        if period is None or period.start_year is None:
            return period
        clause = self.text[self._bounds(start, self._clause_ends)[0] : start]
        year = period.end_year or period.start_year
        if period.kind == "year" and _TOTAL_SO_FAR.search(clause):
            dated = self.main.dateline_month
            if dated is not None and dated[0] == year and self.main.period_from_dateline:
                return parse_period(f"截至{year}年{dated[1]}月") or period  # a total so far, as of the dateline
            return parse_period(f"截至{year}年") or period
        if period.kind in ("cumulative", "month", "quarter", "half"):
            sentence = self.text[self._bounds(start, self._sentence_ends)[0] : start]
            if _PLAN_AMOUNT.search(clause) or (not from_sentence and _YET_TO_DO.search(sentence)):
                return parse_period(f"{year}年") or period
        return period

    def _period_is_topic(self, pm: PeriodMention) -> bool:
        clause_start, clause_end = self._bounds(pm.span[0], self._clause_ends)
        if clause_end == pm.span[1] + 1 or self.text[pm.span[1] : pm.span[1] + 1] in ("，", ",", "\n", ""):
            return True  # 2023年，… / a heading
        before = self.text[clause_start : pm.span[0]].strip()
        return not _OPENING.sub("", _PLAN_OPENING.sub("", before))  # 建议2011年全省…预期目标为: the plan's year

    def _headings_before(self, pos: int) -> list[tuple[int, int]]:
        """Section headings above ``pos``, nearest first (a sub-heading's section has its own)."""
        return [h for h in reversed(self._headings) if h[0] <= pos]

    def _with_year(self, pm: PeriodMention, sentence: tuple[int, int], lead: tuple[int, int]) -> Period:
        period = pm.period
        dateline = self.main.dateline_year
        if period.kind == "same":
            return self._same_months(period)
        if period.relative is not None:
            base = dateline if dateline is not None else self._main_year()
            if period.text.startswith("当年"):  # "that year": the year the text last named, not the dateline's
                base = self._year_named_before(pm.span[0]) or base
            return parse_period(period.text, dateline_year=base) or period
        if period.kind == "current" and self.main.dateline_month is not None:
            year, month = self.main.dateline_month  # 目前, 截至目前: what stood when the article was dated
            return parse_period(f"截至{year}年{month}月") or period
        if period.has_year or period.kind == "current":
            return period
        for s, e in (sentence, lead):
            for other in reversed(self._periods_in(s, min(e, pm.span[0]))):
                if other.period.kind == "same":
                    continue  # 上年同期 names another year than the one this period is in
                if other.period.has_year and other.period.kind not in ("target", "span"):
                    return period.in_year(other.period.start_year)
                if other.period.relative is not None and s == lead[0] != sentence[0]:
                    continue  # 去年，…下降3.8%。前三季度，…: last year dates its own sentence, not the next
                if other.period.relative is not None and (dateline or self._main_year()) is not None:
                    return period.in_year((dateline or self._main_year() or 0) + other.period.relative)
        return period.in_year(self._main_year() or dateline)

    def _year_named_before(self, pos: int) -> int | None:
        """The year of the nearest period with a written year before ``pos`` in its paragraph."""
        for other in reversed(self._periods_in(self._paragraph_start(pos), pos)):
            if other.period.has_year and other.period.kind not in ("target", "span", "same"):
                return other.period.start_year
        return None

    def _day_before(self, start: int) -> Period | None:
        """For a figure after 当天 / 当日 in its sentence: the date the paragraph last named."""
        s, _ = self._bounds(start, self._sentence_ends)
        if not _THAT_DAY.search(self.text, s, start):
            return None
        for other in reversed(self._periods_in(self._paragraph_start(s), s)):
            if other.period.day:
                sentence = self._bounds(other.span[0], self._sentence_ends)
                return self._with_year(other, sentence, self._paragraph_lead(other.span[0]))
        return None

    def _same_months(self, period: Period) -> Period:
        """2020年同期 / 上年同期: the months of the article's own period, in that year."""
        ref = self.main.period
        year = period.start_year
        if year is None and period.relative is not None:
            base = self.main.dateline_year or self._main_year()
            year = base + period.relative if base is not None else None
        if ref is None or ref.start_month is None or ref.start_year is None or year is None:
            return period if year is None else replace(period, start_year=year, end_year=year)
        shift = year - ref.start_year
        ref_label = ref.label()
        label = _YEAR_START.sub(str(year), ref_label, count=1) if _YEAR_START.match(ref_label) else ""
        return Period(label or f"{year}年{period.text.split('年')[-1]}", ref.kind, year, ref.start_month,
                      (ref.end_year or ref.start_year) + shift, ref.end_month)  # fmt: skip

    def _main_year(self) -> int | None:
        main = self.main.period
        return main.end_year if main is not None and main.kind != "span" else None

    def resolve(self, start: int, end: int) -> Attributes:
        """The region and period of the figure at cleaned ``[start, end)``."""
        return Attributes(place=self._place_at(start, end), period=self._period_at(start, end))

    # -- claims ------------------------------------------------------------------------------------

    def of_claim(self, claim: Claim, cleaned: Cleaned, verification: Verification) -> tuple[dict[str, Any], list[str]]:
        """The place and time fields of a verified claim, and why its own ones are wrong (if so)."""
        attributes, problems = self.check(claim.region, claim.period, *figure_position(cleaned, verification))
        return attributes.fields(), problems

    def check(self, region: str | None, period: str | None, start: int, end: int) -> tuple[Attributes, list[str]]:
        """Normalise a claimed region and period; say why they are wrong, if they are.

        A missing one is resolved from the figure's position. A region must be a place the article
        names (or lie above one: 辽宁省 when it names 大连市), or its main place; a period's year
        must be written in the text or follow from the dateline. A period that carries its years
        is kept as written.
        """
        resolved = self.resolve(start, end)
        problems: list[str] = []
        place = resolved.place
        if region and region.strip():
            claimed = resolve_region(region)
            if claimed is not None and not self._names(claimed):
                problems.append(
                    f"地区“{region}”原文没有提到；原文提到的地区有：{self._place_list()}。请只用原文写出的地区。"
                )
            elif claimed is not None:
                place = self._as_named(claimed)
        out_period = resolved.period
        if period and period.strip():
            claimed_p = parse_period(period, dateline_year=self.main.dateline_year)
            if claimed_p is not None and claimed_p.has_year and not self._year_written(claimed_p):
                problems.append(f"统计期“{period}”的年份原文没有写出；原文写出的统计期有：{self._period_list()}。")
            elif claimed_p is not None and claimed_p.start_month is not None:
                if not claimed_p.has_year:
                    claimed_p = claimed_p.in_year(resolved.period.start_year if resolved.period else None)
                out_period = claimed_p
            else:  # 目前, 疫情期间: no months to read, but the claim's own words, never replaced
                out_period = claimed_p or Period(period.strip(), "other")
        return Attributes(place=place, period=out_period), problems

    def _names(self, claimed: Place) -> bool:
        """Whether the article supports ``claimed``: it names the place, a place inside it, or
        (for a zone or any other name) writes its name, with the division it lies in named."""
        main = self.main.place
        if claimed.national:
            return any(pm.place is NATION for pm in self.places) or main is NATION
        text = self._bare_text
        if main is not None and _bare(claimed.name) == _bare(main.name):
            return True
        if claimed.abroad is not None:
            return _bare(claimed.name) in text
        if claimed.zone is None:  # a division: named, a place inside it named, or its name written
            own = _bare(claimed.division.name) if claimed.division is not None else ""
            return claimed.division is not None and (
                self._division_named(claimed.division)
                or _bare(claimed.name) in text
                or (len(own) >= 2 and own in text)  # 江苏省昆山市 for a text that writes 昆山
            )
        if _bare(claimed.name) in text:
            return True  # 河南省中原农谷: written as such
        # The zone's own name written (中原农谷, 南京、苏州), whatever division the claim puts it in.
        zone = re.sub(r"等[^、，,和及与]*$", "", _bare(_strip_divisions(claimed.zone)))  # 南京、苏州等八市
        pieces = [p for p in re.split(r"[、，,和及与]", zone) if len(p) >= 2]
        if len(pieces) == 1 and len(pieces[0]) >= 6 and pieces[0][:2] + pieces[0][-2:] in text:
            return True  # 宁东能源化工基地 written 宁东基地: the usual short form, head and kind
        return bool(pieces) and all(p in text for p in pieces)

    def _division_named(self, division: Division) -> bool:
        main = self.main.place
        if main is not None and main.division is not None and main.division.within(division):
            return True
        return any(d is division or d.within(division) for d in self._named_divisions)

    def _as_named(self, claimed: Place) -> Place:
        """The claimed place with its division filled from the article's own mentions."""
        for pm in self.places:
            if pm.place is not None and _bare(pm.place.name) == _bare(claimed.name):
                return pm.place
        return claimed

    def _year_written(self, period: Period) -> bool:
        if _PLAN.search(period.text):
            return True  # 十四五期间: the plan's name dates it
        years = {period.start_year, period.end_year}
        written = {int(y) for y in re.findall(r"(?:19|20)\d\d", to_ascii_digits(self.text))}
        if years <= written:
            return True
        dateline = self.main.dateline_year
        derivable = {dateline + d for d in (-2, -1, 0, 1)} if dateline is not None else set()
        main = self.main.period
        if main is not None and main.start_year is not None:
            derivable |= {main.start_year, main.end_year or main.start_year}
        if years <= (written | derivable):
            return True
        # 连续8年 in a report on 2024: the span 2017-2024 follows from the text (its end year and length)
        if period.kind == "span" and period.start_year is not None and period.end_year in written | derivable:
            n = period.end_year - period.start_year + 1
            count = f"(?:{n}|{_CHINESE_COUNT[n]})" if n < len(_CHINESE_COUNT) else str(n)
            return re.search(rf"(?:连续|近|过去|这){count}年|{count}年(?:来|间)", self.text) is not None
        return False

    def _place_list(self) -> str:
        names = list(dict.fromkeys(pm.place.name for pm in self.places if pm.place is not None))
        if self.main.place is not None and self.main.place.name not in names:
            names.insert(0, self.main.place.name)
        return "、".join(names[:12]) or "（无）"

    def _period_list(self) -> str:
        names = list(dict.fromkeys(pm.period.text for pm in self.periods if pm.period.kind != "current"))
        return "、".join(names[:12]) or "（无）"


def _of_level(place: Place, word: str) -> bool:
    """Whether ``place`` is of the level a word like 全市 / 全省 / 全县 names."""
    division = place.division
    if division is None:
        return word.endswith("区") and place.zone is not None  # 全区 after a zone's name
    if word.endswith(("省", "自治区")):
        return division.level == 1 and not division.name.endswith("市")
    if word.endswith("市"):
        return division.name.endswith("市")
    if word.endswith("县"):
        return division.level == 3 and division.name.endswith("县")
    if word.endswith("区"):
        return division.level == 3 and division.name.endswith("区")
    return False


@functools.lru_cache(maxsize=16)
def resolver_for(text: str) -> Resolver:
    """The :class:`Resolver` of a cleaned text, built once: the LLM backend's validator and the
    pipeline ask for the same article's one after the other."""
    return Resolver(text)


def figure_position(cleaned: Cleaned, v: Verification) -> tuple[int, int]:
    """Cleaned offsets of a verified claim's first figure (else of its evidence)."""
    spans = [c.span for c in v.checks if c.span is not None] or ([v.span] if v.span else [])
    if not spans:
        return 0, 0
    raw_start, raw_end = min(spans)
    start = bisect.bisect_left(cleaned.index, raw_start)
    return start, max(start, bisect.bisect_left(cleaned.index, raw_end))


def _bare(name: str) -> str:
    return re.sub(r"[省市区县\s“”\"()（）]", "", name)


def _strip_divisions(name: str) -> str:
    """A name less the divisions and the nation it names (山东省济南市高新区 -> 高新区)."""
    name = re.sub(r"^(?:全国|中国|我国)", "", name)
    for pm in find_places(name):
        if pm.place is not None and pm.place.division is not None and pm.place.zone is None:
            name = name.replace(name[pm.span[0] : pm.span[1]], "", 1)
    return name
