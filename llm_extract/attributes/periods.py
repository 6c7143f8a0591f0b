"""Periods: the grammar of statistical time in Chinese news, read into months.

:func:`parse_period` reads ``2022年一季度``, ``上半年``, ``前三季度``, ``1-10月`` (``1—10月``,
``1至10月``), ``5月份``, ``年末`` / ``12月末`` / ``截至6月底``, ``全年``, ``十三五期间``,
``2022-2025年``, ``到2025年``, ``今年``, ``去年`` into a :class:`Period`: first and last year and
month, and a kind —

========== =====================================================
kind       meaning
========== =====================================================
year       a calendar year (全年, 2022年, 2022年度)
half       上半年 (1-6), 下半年 (7-12)
quarter    one quarter (二季度 = 4-6)
month      one month (5月, 5月份, a day of it)
cumulative from January to a month (1-10月, 前三季度, 今年以来)
stock      a level at a date (年末, 6月底, 截至2023年9月)
span       several years (2022-2025年, 十四五期间) or months not from January
target     a year something is to be reached by (到2025年)
current    now (目前, 截至目前): no months unless a date is given
same       the same months of another year (2020年同期, 上年同期), read from the article's period
other      a claimed period the grammar cannot read (疫情期间), kept as written
========== =====================================================

:func:`find_periods` finds them in text with their spans. Relative years (今年, 去年, 上年) need
the year they are relative to; a period written without a year takes one from its caller.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from llm_extract.figures.numbers import CN_DIGITS, chinese_to_number, to_ascii_digits

__all__ = ["Period", "PeriodMention", "find_periods", "parse_period", "same_period"]


def _cn_int(text: str) -> int | None:
    """``十二`` -> 12, ``3`` -> 3, ``二〇二二`` -> 2022 (a year is read digit by digit)."""
    text = to_ascii_digits(text)
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(ch in CN_DIGITS for ch in text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    if not text or any(ch not in CN_DIGITS and ch != "十" for ch in text):
        return None
    return int(chinese_to_number(text))


_HAS_YEAR = re.compile(r"(?:19|20)\d\d|五[”\"’]?(?:期间|时期|以来|规划期)")


@dataclass(frozen=True, slots=True)
class Period:
    """A period as months: ``start_year``/``start_month`` to ``end_year``/``end_month`` (inclusive).

    A year is None when the text gives none and none was supplied; months are None for kinds
    that name no months (``current``).
    """

    text: str
    kind: str
    start_year: int | None = None
    start_month: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    relative: int | None = None  # 今年 0, 去年 -1 …: the year is relative to the dateline
    day: bool = False  # a date (2022年9月27日): the period of a figure only in its own clause

    @property
    def has_year(self) -> bool:
        return self.start_year is not None

    @property
    def start(self) -> str | None:
        """``YYYY-MM`` of the first month, or None."""
        if self.start_year is None or self.start_month is None:
            return None
        return f"{self.start_year:04d}-{self.start_month:02d}"

    @property
    def end(self) -> str | None:
        """``YYYY-MM`` of the last month, or None."""
        if self.end_year is None or self.end_month is None:
            return None
        return f"{self.end_year:04d}-{self.end_month:02d}"

    def in_year(self, year: int | None) -> Period:
        """This period with its missing year set to ``year``."""
        if year is None or self.start_year is not None:
            return self
        span = (self.end_year or 0) - (self.start_year or 0)
        return replace(self, start_year=year, end_year=year + span)

    def label(self) -> str:
        """The period as written into records: the text (spaces dropped: 2024 年 -> 2024年), with its
        year put in front when it lacked one."""
        text = re.sub(r"\s+", "", self.text)
        if self.relative is not None and self.start_year is not None:
            text = re.sub(r"^(?:今年|本年|当年|去年|上年|前年|明年)", "", text)
            return f"{self.start_year}年{text}"
        if self.start_year is not None and not _HAS_YEAR.search(text):
            lead = re.match(r"^(?:截至|截止到|截止|到|至)", text)
            head, rest = (text[: lead.end()], text[lead.end() :]) if lead else ("", text)
            if re.match(r"^(?:年末|年底|年初)", rest):
                return f"{head}{self.start_year}{rest}"
            return f"{head}{self.start_year}年{rest}"  # 截至7月底 -> 截至2021年7月底
        return text

    def fields(self) -> dict[str, str | None]:
        """``period``, ``period_start``, ``period_end``, ``period_kind`` as written to records."""
        return {"period": self.label(), "period_start": self.start, "period_end": self.end, "period_kind": self.kind}


_NUM = r"(?:\d{1,2}|[一二三四五六七八九十两]{1,3})"
_YEAR = r"(?:(?:19|20)\d\d|[一二]〇[一二三四五六七八九〇零]{2})"
_RANGE = r"\s*(?:-|—|–|－|~|～|至|到|－)\s*"
_FIVE_YEAR_PLAN = re.compile(
    r"[“\"‘]?(?P<n>十[一二三四五六七八九]?|[一二三四五六七八九])五[”\"’]?(?:期间|时期|以来|规划期)"
)
_RELATIVE = {"今年": 0, "本年": 0, "当年": 0, "本年度": 0, "去年": -1, "上年": -1, "上一年": -1, "前年": -2, "明年": 1}

_PART = (
    rf"(?P<cum_range>{_NUM}月?{_RANGE}{_NUM}月份?)"
    rf"|(?P<first_q>前(?P<fq>[一二三四两1-4])(?:个)?季度)"
    rf"|(?P<first_m>(?:前|首)(?P<fm>{_NUM})个?月)"
    rf"|(?P<quarter>(?:第)?(?P<q>[一二三四1-4])季度)"
    r"|(?P<q_abbr>Q(?P<qa>[1-4]))"
    r"|(?P<half>(?P<h>上|下)半年)"
    rf"|(?P<month>(?P<m>{_NUM})月(?:份)?(?P<mend>末|底|初|中旬|上旬|下旬)?(?:(?P<d>\d{{1,2}})日)?)"
    r"|(?P<year_end>年末|年底)"
    r"|(?P<end_only>末|底)"
    r"|[“\"]?(?P<holiday>五一|国庆|十一)[”\"]?(?:黄金周|小长假|长假|假期|期间)"
    r"|(?P<whole>全年|年度|年)"
)
# Every period starts with one of these characters: a cheap test before the long alternation.
_PERIOD_FIRST = '0-9０-９一二三四五六七八九十〇零两今本当去上前首明截到至第Q下年全“"‘国'
_PERIOD = re.compile(
    rf"(?=[{_PERIOD_FIRST}])"
    r"(?P<until>截至|截止|截止到|截至到|到|至)?"
    r"(?:"
    rf"(?P<years>(?P<y1>{_YEAR})(?:年)?{_RANGE}(?P<y2>{_YEAR})年)"
    rf"|(?P<plan>{_FIVE_YEAR_PLAN.pattern})"
    rf"|(?:(?P<year>{_YEAR}) ?年(?:度)?|(?P<rel>今年|本年度|本年|当年|去年|上一年|上年|前年|明年))?"
    rf"(?:(?P<part>{_PART}))?"
    r")"
    r"(?P<since>以来)?"
)
_NOW = re.compile(r"(?:截至|截止)?(?:目前|当前|现在|眼下)")
_NOT_A_PERIOD_AFTER = re.compile(r"^(?:同期|相比|同比|比|的水平)")


def _month(text: str | None) -> int | None:
    value = _cn_int(text) if text else None
    return value if value is not None and 1 <= value <= 12 else None


def _parse_match(m: re.Match[str]) -> Period | None:
    text = m.group()
    until = m.group("until")
    since = m.group("since")
    if m.group("years"):
        y1, y2 = _cn_int(m.group("y1")), _cn_int(m.group("y2"))
        if y1 is None or y2 is None or y2 < y1:
            return None
        return Period(text, "span", y1, 1, y2, 12)
    if m.group("plan"):
        n = _cn_int(m.group("n"))
        if n is None or n < 6:
            return None
        first = 1981 + 5 * (n - 6)  # the sixth plan was 1981-1985, each plan five years since
        return Period(text, "span", first, 1, first + 4, 12)
    year = _cn_int(m.group("year")) if m.group("year") else None
    rel = _RELATIVE.get(m.group("rel") or "")
    part = m.group("part")
    if year is None and rel is None and not part:
        return None
    kind, first, last = "year", 1, 12
    day = False
    if part:
        if m.group("cum_range"):
            bounds = [
                b.removesuffix("月")
                for b in re.split(_RANGE, m.group("cum_range").removesuffix("份").removesuffix("月"))
            ]
            first_m, last_m = _month(bounds[0]), _month(bounds[-1])
            if first_m is None or last_m is None or last_m < first_m:
                return None
            kind, first, last = ("cumulative" if first_m == 1 else "span"), first_m, last_m
        elif m.group("first_q"):
            q = _cn_int(m.group("fq"))
            if q is None or not 1 <= q <= 4:
                return None
            kind, first, last = "cumulative", 1, 3 * q
        elif m.group("first_m"):
            n = _month(m.group("fm"))
            if n is None:
                return None
            kind, first, last = "cumulative", 1, n
        elif m.group("quarter") or m.group("q_abbr"):
            q = _cn_int(m.group("q") or m.group("qa"))
            if q is None or not 1 <= q <= 4:
                return None
            kind, first, last = ("cumulative" if q == 1 else "quarter"), 3 * q - 2, 3 * q
            kind = "quarter"
        elif m.group("half"):
            kind, first, last = ("half", 1, 6) if m.group("h") == "上" else ("half", 7, 12)
        elif m.group("month"):
            month = _month(m.group("m"))
            if month is None:
                return None
            end_word = m.group("mend")
            kind = "stock" if end_word in ("末", "底") or until else "month"
            first = last = month
            day = m.group("d") is not None
        elif m.group("year_end"):
            kind, first, last = "stock", 12, 12
        elif m.group("end_only"):
            if year is None and rel is None:
                return None
            kind, first, last = "stock", 12, 12  # 2019年底
        elif m.group("holiday"):
            month = 5 if m.group("holiday") == "五一" else 10
            kind, first, last = "month", month, month
        elif m.group("whole"):
            if m.group("whole") == "年" and year is None and rel is None:
                return None
            kind = "year"
    if since and kind in ("year", "month") and part is None:
        kind = "cumulative"  # 今年以来: from January to the date of writing
    elif until and kind == "year":
        kind = "target" if until in ("到", "至") else "stock"
        if kind == "stock":
            first = 12  # 截至2024年: the level at the year's end
    if year is None and rel is None:
        return Period(text, kind, None, first, None, last, day=day)
    if rel is not None:
        return Period(text, kind, None, first, None, last, relative=rel, day=day)
    return Period(text, kind, year, first, year, last, day=day)


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period found at ``span`` of a text."""

    span: tuple[int, int]
    period: Period


def find_periods(text: str) -> list[PeriodMention]:
    """Every period ``text`` names, in order (comparison bases such as 上年同期 left out)."""
    out = []
    normal = to_ascii_digits(text)
    for m in _PERIOD.finditer(normal):
        if m.start() == m.end():
            continue
        compared = normal[max(0, m.start() - 1) : m.start()] in ("比", "较", "于", "与", "同")
        if (
            not compared
            and normal[m.end() : m.end() + 2] == "同期"
            and (m.group("year") or m.group("rel"))
            and not m.group("part")
            and not normal[m.end() + 2 : m.end() + 4].startswith(("相比", "比", "水平", "基数", "相当"))
        ):  # 2020年同期规模以上工业增加值下降23.2%: the figure is of that year's same months
            year = _cn_int(m.group("year")) if m.group("year") else None
            rel = _RELATIVE.get(m.group("rel") or "")
            same = Period(m.group() + "同期", "same", year, None, year, None, relative=rel)
            out.append(PeriodMention(span=(m.start(), m.end() + 2), period=same))
            continue
        if _NOT_A_PERIOD_AFTER.match(normal[m.end() : m.end() + 3]):
            continue  # 比上年同期, 与2021年相比: the base of a comparison
        if compared:
            continue
        if m.group("year") and not m.group("part") and normal[m.end() : m.end() + 1] in ("前", "后"):
            continue  # 2025年前: handled below as a target
        if m.group("whole") == "年" and m.group("rel") is None and m.group("year") is None:
            continue
        if m.group("whole") and normal[m.end() : m.end() + 2] in ("任务", "目标", "计划", "预算"):
            continue  # 完成全年任务的38.86%: the year's target, not the figure's time
        period = _parse_match(m)
        if period is not None:
            out.append(PeriodMention(span=m.span(), period=period))
    for m in _NOW.finditer(normal):
        out.append(PeriodMention(span=m.span(), period=Period(m.group(), "current")))
    for m in re.finditer(rf"(?P<y>{_YEAR})年(?:前|以前)", normal):
        year = _cn_int(m.group("y"))
        if year is not None:
            out.append(PeriodMention(span=m.span(), period=Period(m.group(), "target", year, 1, year, 12)))
    out.sort(key=lambda pm: (pm.span[0], -pm.span[1]))
    merged: list[PeriodMention] = []
    for pm in out:
        if merged and pm.span[0] < merged[-1].span[1]:
            continue
        prev = merged[-1].period if merged else None
        if (
            prev is not None
            and merged[-1].span[1] == pm.span[0]
            and pm.period.text[:1] in ("至", "到")
            and prev.kind in ("month", "stock")
            and pm.period.kind in ("month", "stock")
            and prev.start_month is not None
            and pm.period.end_month is not None
            and pm.period.end_month >= prev.start_month
        ):  # 2月下旬至4月底: one span of months
            start = merged[-1].span[0]
            end_year = pm.period.end_year or prev.start_year
            span = Period(text[start : pm.span[1]], "span", prev.start_year, prev.start_month, end_year,
                          pm.period.end_month, relative=prev.relative)  # fmt: skip
            merged[-1] = PeriodMention(span=(start, pm.span[1]), period=span)
            continue
        merged.append(pm)
    return merged


@functools.lru_cache(maxsize=4096)
def parse_period(text: str | None, *, year: int | None = None, dateline_year: int | None = None) -> Period | None:
    """Read a period string; None when it holds no period the grammar knows.

    ``dateline_year`` resolves relative years (今年, 去年); ``year`` fills a period that has none
    (一季度 in an article about 2022).
    """
    if not text or not text.strip():
        return None
    found = find_periods(text.strip())
    if not found:
        return None
    periods = [pm.period for pm in found]
    try:
        period = _combine(periods, text.strip())
    except _Unreadable:
        return None
    if period.relative is not None:
        base = dateline_year if dateline_year is not None else year
        if base is None:
            return period
        span = (period.end_year or 0) - (period.start_year or 0)
        return replace(period, start_year=base + period.relative, end_year=base + period.relative + span)
    return period.in_year(year)


class _Unreadable(Exception):
    """A period the grammar reads in parts that do not make one span of months."""


def _combine(periods: list[Period], text: str) -> Period:
    """``2020年2月下旬至4月底``, ``“十四五”期间(2021-2025年)``: one period from the parts."""
    first = periods[0]
    if len(periods) == 1:
        return replace(first, text=text) if first.kind != "current" else first
    if first.kind == "span":
        if any(p.kind in ("cumulative", "month") for p in periods[1:]):
            raise _Unreadable(text)  # 2013-2018年1-2月: the same months of several years
        return replace(first, text=text)
    last = periods[-1]
    if first.kind in ("month", "stock") and last.kind in ("month", "stock") and re.search(r"至|到|-|—", text):
        return Period(
            text, "span", first.start_year, first.start_month, last.end_year or first.end_year, last.end_month
        )
    if first.kind == "current" and len(periods) > 1:
        return replace(periods[1], text=text)
    return replace(first, text=text)


def same_period(predicted: str | None, gold: str | None) -> bool:
    """The eval rule: the same months (and year where gold has one); unreadable ones by their text."""
    if gold is None or not str(gold).strip():
        return True
    g = parse_period(gold)
    p = parse_period(predicted) if predicted else None
    if g is None or g.start_month is None:
        unread = p is None or p.start_month is None
        return unread and bool(predicted) and _bare(predicted) == _bare(gold)
    if p is None or p.start_month is None:
        return False
    if (p.start_month, p.end_month) != (g.start_month, g.end_month):
        return False
    if g.start_year is None:
        return True
    return (p.start_year, p.end_year) == (g.start_year, g.end_year)


def _bare(text: str | None) -> str:
    return re.sub(r"[\s“”\"]", "", text or "")
