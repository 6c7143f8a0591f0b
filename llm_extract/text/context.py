"""Article-level context: title, dateline year and the region the article is about.

It is read once per article from the cleaned text and given to every chunk (and to the rules
backend), so that ``今年`` resolves to a year and ``该区``/``全市`` to a place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["ArticleContext", "dateline_month", "dateline_year", "find_places", "read_context", "title_of"]

_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_DATELINE = re.compile(
    rf"(?P<y>{_YEAR})\s*(?:年|[-/.])\s*\d{{1,2}}\s*(?:月|[-/.])\s*\d{{1,2}}"
    rf"|(?:date|time|published)\s*:\s*['\"]?(?:[A-Za-z]{{3}},?\s+\d{{1,2}}\s+[A-Za-z]{{3}}\s+)?(?P<y2>{_YEAR})",
    re.IGNORECASE,
)
_TITLE = re.compile(r"^\s*title\s*:\s*['\"]?(?P<t>.+?)['\"]?\s*$", re.IGNORECASE | re.MULTILINE)
_PLACE_SUFFIX = "省|市|自治区|特别行政区|区|县|州|盟|旗|镇|乡|新区|开发区|经济区|高新区|园区"
_PLACE = re.compile(rf"(?P<p>[\u4e00-\u9fff]{{1,7}}?(?:{_PLACE_SUFFIX}))(?!委|政府|长|级|域|属|内|外|场|值)")
_PROVINCES = tuple(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 "
    "贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门".split()
)
_NOT_PLACE = re.compile(
    r"^(?:全|该|本|我|各|辖|城|市|社|小|园|景|地|校|新城|城区|市区|郊区|片区|示范区|功能区|街区|[一二三四五六七八九十两]+)"
)


_GLUE_CHARS = re.compile(r"[等的了和与及在住跑除是有将把被对从占全]|一线|二线|三线")


@dataclass(frozen=True, slots=True)
class ArticleContext:
    """What every chunk of one article is told: title, year of the dateline, main region."""

    title: str | None = None
    year: int | None = None
    region: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"title": self.title, "year": self.year, "region": self.region}


_LEADING = re.compile(r"^(?:在|于|对|由|为|据|从|向|与|和|及|是|今年|去年|全力推进|推进|加快|支持|位于|地处)+")


def find_places(text: str) -> list[str]:
    """Place names such as 大连市, 甘井子区, 宁夏回族自治区 (and province names), in order."""
    out = []
    for m in _PLACE.finditer(text):
        name = _LEADING.sub("", m.group("p"))
        if len(name) >= 2 and not _NOT_PLACE.match(name) and not _GLUE_CHARS.search(name):
            out.append(name)
    out.extend(p for p in _PROVINCES if p in text and not any(p in name for name in out))
    return out


_FIRST_LINE = re.compile(r"\S[^\n]*")


def title_of(text: str) -> tuple[str | None, int]:
    """The title — front matter ``title:``, else a first line of at most 60 characters — and the
    offset where it ends (0 when there is none)."""
    title_m = _TITLE.search(text[:2000])
    if title_m:
        return title_m.group("t").strip(), title_m.end()
    first = _FIRST_LINE.search(text)
    line = first.group().strip() if first else ""
    if first is None or not line or len(line) > 60:
        return None, 0
    return line, first.start() + len(line)


def read_context(text: str) -> ArticleContext:
    """Title (front matter or first line), dateline year and most-named place of ``text``."""
    title, _ = title_of(text)
    year = dateline_year(text)
    head = text[:1500]
    places = find_places(head)
    region = None
    if places:
        counts = Counter(places)
        if title:
            for place in find_places(title):
                counts[place] += 2
        region = counts.most_common(1)[0][0]
    return ArticleContext(title=title, year=year, region=region)


def _dateline(text: str) -> re.Match[str] | None:
    return _DATELINE.search(text[:3000]) or _DATELINE.search(text)


def dateline_month(text: str) -> tuple[int, int] | None:
    """The year and month of a numeric dateline (``2017-06-28``, ``2022年09月27日``), if any."""
    date_m = _dateline(text)
    if date_m is None:
        return None
    group = "y" if date_m.group("y") else "y2"
    month = re.match(r"\s*(?:年|[-/.])\s*(\d{1,2})", text[date_m.end(group) :])
    return (int(date_m.group(group)), int(month.group(1))) if month and 1 <= int(month.group(1)) <= 12 else None


def dateline_year(text: str) -> int | None:
    """The year of the article's dateline (``2022年09月27日``, ``date: Tue, 26 Apr 2022``), if any."""
    date_m = _dateline(text)
    return int(date_m.group("y") or date_m.group("y2")) if date_m else None
