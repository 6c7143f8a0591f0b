"""Canonical indicators: the statistic a record's indicator names, from the taxonomy in ``data/indicators.tsv``.

A record keeps its indicator as written (``全区固定资产投资``, ``固投``, ``完成固定资产投资额``) and gets
``indicator_canonical`` (``固定资产投资``) when the written name, once a leading place, a leading verb
(完成, 实现, 累计 …) and a trailing measure word (增速, 增长 …) are set aside, *is* one of the taxonomy's
names or synonyms. Nothing is guessed from a partial match: a name that says more than a
synonym (``重大项目计划投资``, ``新能源汽车产量``) or measures something else about it (``两年平均
增速``, ``占GDP比重``, ``环比``, ``人均GDP``) gets None, never a forced neighbour.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from llm_extract.attributes.periods import find_periods
from llm_extract.attributes.places import find_places, may_start_with_place

__all__ = ["Indicator", "canonical_indicator", "taxonomy"]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One canonical indicator of the taxonomy."""

    name: str
    kind: str  # level / rate / index / count / share
    unit_family: str  # money / area / weight / energy / people / count / percent / index
    parent: str | None
    synonyms: tuple[str, ...]


@functools.cache
def taxonomy() -> dict[str, Indicator]:
    """The canonical indicators by name (read once from the package data)."""
    text = resources.files("llm_extract").joinpath("data/indicators.tsv").read_text(encoding="utf-8")
    out: dict[str, Indicator] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind, family, parent, synonyms = line.split("\t")
        out[name] = Indicator(name, kind, family, None if parent == "-" else parent,
                              tuple(s for s in synonyms.split("|") if s))  # fmt: skip
    return out


@functools.cache
def _names() -> dict[str, str]:
    """Every name and synonym, normalised, to its canonical name."""
    out: dict[str, str] = {}
    for indicator in taxonomy().values():
        for word in (indicator.name, *indicator.synonyms):
            out.setdefault(_norm(word), indicator.name)
    return out


# Another measure of the statistic, not the statistic: never mapped.
_OTHER_MEASURE = re.compile(
    r"两年平均|三年平均|年均|平均增|环比|比重|占比|占.*(?:比|份额)|贡献率|拉动|名义|比(?:19|20)\d\d|较(?:19|20)\d\d|"
    r"排名|排位|位次|位居|人均(?!可支配)|每平方公里|密度|完成率|进度|弹性|缺口|差距|倍数|单位"
)
_LEAD = re.compile(
    r"^(?:全市|全区|全县|全省|全州|全旗|全盟|全镇|全国|我市|我区|我县|我省|本市|本区|该市|该区|该县|全年|其中|同期|而|"
    r"特别是|尤其是|带动|拉动|以及|省份|各省份|"
    r"累计完成|累计实现|累计|共完成|共实现|完成|实现|达到|共|新增(?!就业)|全口径(?!税收|固定))+"
)
_TAIL = re.compile(
    r"(?:同比增速|同比增长率?|同比增幅|同比|增速|增幅|增长率|增长|增量|下降|降幅|涨幅|总量(?<!GDP总量)|规模|金额(?<!销售金额)|"
    r"(?:预期|力争|控制)?目标|预期|人数(?<!就业人数)|"
    r"(?:\(|（)[^)）]*(?:\)|）))+$"
)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").upper()


def _without_place(text: str) -> str:
    """The name with the place or period it starts with removed (大连市甘井子区固定资产投资, 首两月固定资产投资
    -> 固定资产投资)."""
    for pm in find_places(text) if may_start_with_place(text) else ():
        if pm.span[0] == 0 and pm.span[1] < len(text):
            text = text[pm.span[1] :]
            break
    for period in find_periods(text):
        if period.span[0] == 0 and period.span[1] < len(text):
            return text[period.span[1] :]
    return text


@functools.lru_cache(maxsize=8192)
def canonical_indicator(indicator: str | None) -> str | None:
    """The canonical name of the statistic ``indicator`` names, or None when none fits exactly."""
    if not indicator:
        return None
    text = _norm(indicator)
    names = _names()
    if text in names:
        return names[text]
    if _OTHER_MEASURE.search(text):
        return None
    for _ in range(3):  # 全市完成固定资产投资额增速: place, verb and measure word may all be there
        before = text
        text = _without_place(text)
        text = _LEAD.sub("", text)
        if text in names:
            return names[text]
        text = _TAIL.sub("", text)
        if text in names:
            return names[text]
        if text == before or not text:
            break
    return None
