"""Places: China's administrative divisions (with their official codes) and zones, found in text.

The gazetteer is data, not a hand list: ``data/divisions.tsv`` is built by
``scripts/build_gazetteer.py`` from the National Bureau of Statistics' 2023 统计用区划代码 (as
republished by the ``china-division`` package), with Hong Kong, Macao and Taiwan from GB/T 2260.
Every division is known by its full name (大连市, 甘井子区, 宁夏回族自治区) and, where that leaves
two characters or more, by its short name (大连, 甘井子, 宁夏). County-level short names are
ordinary words too often (和平, 城关, 新华), so one counts only where the text writes the full name
or introduces the short one (see ``_introduced_short_names``). Zones that are not divisions (新区,
经济区, 开发区, 高新区, 园区, 保税区, 自贸区 …) are places as well, placed inside the division that the
text names with them.

:func:`find_places` returns :class:`Place` mentions with their spans; :func:`resolve_region`
reads a region string (a record's, a gold file's) into a :class:`Place`.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from importlib import resources

__all__ = ["NATION", "Division", "Place", "find_places", "gazetteer", "resolve_region", "same_region"]


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division. ``level``: 1 province, 2 prefecture, 3 county."""

    code: str | None
    name: str
    level: int
    parent: Division | None = None

    @property
    def chain(self) -> tuple[Division, ...]:
        """From the province down to this division."""
        out: list[Division] = []
        node: Division | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return tuple(reversed(out))

    def within(self, other: Division) -> bool:
        """Whether this division is ``other`` or lies inside it."""
        return other in self.chain


@dataclass(frozen=True, slots=True)
class Place:
    """A place a figure can be about: a division, a zone inside one, or the whole country.

    ``name`` is the region as written into records: the division's official name (a county
    with its city before it: 大连市甘井子区) or the zone's name as the text writes it.
    """

    name: str
    division: Division | None = None
    zone: str | None = None  # a zone's own name (高新区, 普湾经济区); for other non-divisions the whole name
    national: bool = False
    abroad: str | None = None  # a country's ISO 3166-1 code (美国: US)

    @property
    def code(self) -> str | None:
        """The 6-digit division code; None for zones, the nation and places without one."""
        return None if self.zone or self.division is None else self.division.code

    def level_name(self, level: int) -> str | None:
        if self.division is None:
            return None
        chain = self.division.chain
        for node in chain:
            if node.level == level:
                return node.name
        if level == 2 and len(chain) > 1 and chain[0].name.endswith("市"):
            return chain[0].name  # a district of 北京, 上海, 天津, 重庆 lies in that city
        return None

    def fields(self) -> dict[str, str | None]:
        """``region``, ``region_code``, ``province``, ``city``, ``county`` as written to records."""
        return {
            "region": self.name,
            "region_code": self.code,
            "province": self.level_name(1),
            "city": self.level_name(2),
            "county": self.level_name(3),
        }


NATION = Place(name="全国", national=True)
_NATION_WORDS = ("全国", "中国大陆", "中国", "我国", "全中国", "大陆", "内地")
# 大陆 / 内地 are the mainland in Taiwan and Hong Kong reporting, but not in 欧亚大陆, 新大陆, 大陆架, 内地河.
_NOT_MAINLAND = re.compile(r"(?:欧亚|亚欧|美洲|非洲|澳洲|新|南极|北美|南美)$")
_NOT_MAINLAND_AFTER = re.compile(r"架|性|法系|河|湖|港口")
# What follows the nation's name when it is an adjective, not the place a figure is about
# (全国首个, 全国人民, 中国制造, 全国平均水平).
_NATION_ADJECTIVE = re.compile(
    r"人|首[个家批次位创]|前列|前[一二三四五六七八九十\d]|第|一流|一张|性|范围|统一|各地|先进|文明|重点|示范|百强|十强|平均|水平|"
    r"特色|式|制造|梦|银行|石油|石化|移动|电信|联通|共产党|政府|人大|政协|冬运|运动|之最|领先|率先|试点|同行|队|最"
)

# The 55 minority nationalities as autonomous areas name them (宁夏回族自治区 -> 宁夏).
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|"
    "达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|"
    "赫哲|门巴|珞巴|基诺|各"
)
_ETHNIC_AUTONOMY = re.compile(rf"(?:(?:{_ETHNIC})族?)+自治(?:区|州|县|旗)$")
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|省|市|区|县|盟|旗)$")
_NOT_A_NAME = ("市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划", "县")
_ZONE_CODE = re.compile(r"^\d{4}7\d$")  # NBS codes 7x at county level: development zones, not divisions


def _short(name: str) -> str | None:
    short = _ETHNIC_AUTONOMY.sub("", name)
    if len(short) < 2 or short == name:  # 内蒙古自治区, 西藏自治区: the nationality is the name
        short = _SUFFIX.sub("", name)
    return short if 2 <= len(short) < len(name) else None


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_name: dict[str, tuple[Division, ...]]  # full and short names
    county_short: frozenset[str]  # short names that count only with their full name or city named
    countries: dict[str, str]  # Chinese name -> ISO 3166-1 code (UN M49 for world regions), places abroad
    lengths: dict[str, tuple[int, ...]]  # first character -> lengths of the names it starts, longest first
    bigrams: frozenset[str]  # the first two characters of every name
    candidates: re.Pattern[str]  # where a name may start: a first and a second character class, in C


@functools.cache
def gazetteer() -> _Gazetteer:
    """The divisions of ``data/divisions.tsv``, indexed by full and short name (loaded once)."""
    text = resources.files("llm_extract").joinpath("data/divisions.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    by_code: dict[str, Division] = {}
    by_name: dict[str, list[Division]] = defaultdict(list)
    county_short: set[str] = set()
    for code, name, parent_code in rows:  # parents come before children in the file
        if _ZONE_CODE.match(code):
            continue
        parent = by_code.get(parent_code) if parent_code else None
        if parent is not None and parent.name in _NOT_A_NAME:
            parent = parent.parent  # 北京市 / 市辖区 / 朝阳区: the district lies in the province-level city
        level = 1 if parent is None else (2 if code.endswith("00") or not code else 3)
        division = Division(code=code or None, name=name, level=level, parent=parent)
        if code:
            by_code[code] = division
        if name in _NOT_A_NAME:
            continue
        by_name[name].append(division)
        if len(name) < 3 and level == 3:
            county_short.add(name)  # 南县, 城区: a name only where the text names its city or province
        short = _short(name)
        if short:
            by_name[short].append(division)
            if level == 3:
                county_short.add(short)
    # A short county name that is also a province's or city's name is that one's first.
    county_short -= {n for n, ds in by_name.items() if any(d.level < 3 for d in ds)}
    countries = {}
    listing = resources.files("llm_extract").joinpath("data/countries.tsv").read_text(encoding="utf-8")
    for line in listing.splitlines():
        if line and not line.startswith("#"):
            iso, name = line.split("\t")
            if name not in by_name:
                countries[name] = iso
    regions = resources.files("llm_extract").joinpath("data/world_regions.tsv").read_text(encoding="utf-8")
    for line in regions.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            countries[name] = code  # 欧洲, 中东, 亚太区: abroad like a country
    words = [*by_name, *countries]
    lengths: dict[str, set[int]] = defaultdict(set)
    for word in words:
        lengths[word[0]].add(len(word))
    return _Gazetteer(
        by_name={k: tuple(v) for k, v in by_name.items()},
        county_short=frozenset(county_short),
        countries=countries,
        lengths={ch: tuple(sorted(sizes, reverse=True)) for ch, sizes in lengths.items()},
        bigrams=frozenset(w[:2] for w in words),
        candidates=re.compile(
            "(?=[" + "".join(sorted({w[0] for w in words})) + "][" + "".join(sorted({w[1] for w in words})) + "])"
        ),
    )


# 北京市场, 大连市民, 全区域: the suffix belongs to the next word, the name is the short one.
_SUFFIX_TAKEN = {"市": "场民值委长政级属直区县", "区": "域间块位委政", "县": "域级城委政长", "省": "级委政长内外"}
_ZONE_SUFFIX = (
    "一线城市|二线城市|三线城市|四线城市|生产建设兵团|兵团|综合保税区|保税港区|保税区|自贸试验区|自由贸易试验区|自贸区|自由贸易区|高新技术产业开发区|经济技术开发区|"
    "高新区|经开区|开发区|经济区|新区|园区|合作区|示范区|试验区|产业园|工业园|经济带|港区|风景区|景区|保护区|基地"
)
_ZONE = re.compile(rf"(?:{_ZONE_SUFFIX})")
# Suffixes common enough in ordinary phrases (推动园区, 出自园区) that they name a zone only after a division.
_WEAK_ZONES = {"园区", "产业园", "工业园", "基地", "景区", "风景区", "保护区", "经济带", "港区", "示范区", "试验区"}
_CITY_TIERS = {"一线城市", "二线城市", "三线城市", "四线城市"}  # groups of cities, named alone
_SPECIFIC_BARE_ZONES = {
    *_CITY_TIERS,
    *("高新区", "经开区", "自贸区", "保税区", "综合保税区", "高新技术产业开发区", "经济技术开发区"),
}
_ZONE_STOP = re.compile(
    r"[的了和与及在向对把被将从为是于等各全该本我其这那个占比较入驻落户进到至、]"
    r"|高于|低于|快于|慢于|实现|完成|推进|建设|打造|位于|引进|成立|设立|加快|支持|发展|全市|全省|全区"
    r"|按下|出台|推动|围绕|聚焦|依托|进入|走进|出自|形成|构建|完善|加强|提升|实施|开展|新建|培育|壮大|做强|布局"
)
_GENERIC_ZONE_HEAD = re.compile(
    r"^(?:工业|产业|经济|物流|科技|开发|高新|保税|综合|技术|产业集聚|特色|重点|现代|农业|生态|文化|旅游|商贸|各类|省级|国家级|市级)+$"
)
# A place right after one of these is what the figure is compared with, not what it is about.
_COMPARED = re.compile(r"(?:高于|低于|快于|慢于|超过|超出|领先|比|较|与|同|占|占到|居|位居|位列|排名|对象|对标)$")
_SELF_REFERENCE = re.compile(r"本港|全港|港府|访港|来港|抵港|本澳|全澳|澳府|访澳|来澳|全台|来台|访台")
_SELF_REFERENCE_OF = {"港": "香港", "澳": "澳门", "台": "台湾"}
_STATE_OWNED = re.compile(r"有(?:控股|企业|资产|经济|单位|独资|大中型|工业|部门|资本|林场|农场|银行)")
_IDEOGRAPH_BEFORE = re.compile(r"[\u4e00-\u9fff]$")
# 比全省(7.7%)和全国(7.0%): a place listed after a compared one is compared too
_LISTED_AFTER_COMPARED = re.compile(
    r"(?:[（(][^（()）\n]{0,12}[)）])?(?:平均水平|同期|平均)?\s*(?:和|、|及|与|以及)\s*"
)


# 比全省平均水平(17.3%)和全国(11.4%): the second of the places a comparison lists
_COMPARISON_LIST_BEFORE = re.compile(r"(?:比|较|高于|低于|快于|慢于)[^，,。；;\n]{1,20}[)）](?:和|、|及|与|以及)$")


def _compared_lists(text: str, mentions: list[PlaceMention]) -> list[PlaceMention]:
    out: list[PlaceMention] = []
    for pm in mentions:
        prev = out[-1] if out else None
        listed = prev is not None and prev.compared and _LISTED_AFTER_COMPARED.fullmatch(text, prev.span[1], pm.span[0])
        if not pm.compared and (listed or _COMPARISON_LIST_BEFORE.search(text, max(0, pm.span[0] - 24), pm.span[0])):
            pm = replace(pm, compared=True)
        out.append(pm)
    return out


_REFERS_TO_MAIN = re.compile(
    r"全市|全省|全区|全县|全州|全盟|全旗|该市|该区|该县|该省|本市|本区|本县|本省|我市|我区|我县|我省|全自治区"
)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named at ``span`` of a text; ``main`` marks words that stand for the main place (全市).

    ``compared``: the place is what a figure is compared with (高于全省); ``listed``: one item of a
    list (金普新区、太平湾合作创新区等园区), so a figure after it is about the whole list.
    """

    span: tuple[int, int]
    place: Place | None
    compared: bool = False
    main: bool = False
    listed: bool = False
    attributive: bool = False  # 大连的重大产业承载区: it describes a noun, it is not the subject
    organisation: bool = False  # 广东丸美生物技术股份有限公司: part of a name, not where a figure is


def _named_divisions(text: str) -> list[tuple[int, int, str, tuple[Division, ...]]]:
    """Leftmost-longest, non-overlapping gazetteer names in ``text`` (a dict scan by first character)."""
    gaz = gazetteer()
    by_name, lengths, bigrams, countries = gaz.by_name, gaz.lengths, gaz.bigrams, gaz.countries
    out = []
    n = len(text)
    pos = 0
    for m in gaz.candidates.finditer(text):  # positions whose two characters could start a name
        start = m.start()
        if start < pos or text[start : start + 2] not in bigrams:
            continue
        words = (text[start : start + size] for size in lengths[text[start]])
        name = next((w for w in words if w in by_name or w in countries), None)
        if name is None:
            continue
        end = start + len(name)
        if name in gaz.county_short and _longer_from_inside(text, start, end, gaz):
            continue  # 其中阳新县: not 中阳 (中阳县's short name) but 阳新县 one character on
        if name == "中东" and text[end : end + 1] == "部":
            continue  # 中东部地区: the centre and east of a country, not the Middle East
        if text[start - 1 : start + 1] == "其中" and _name_at(text, start + 1, gaz):
            continue  # 其中阳新, 其中山西: 中 belongs to 其中, the name starts one character on
        taken = _SUFFIX_TAKEN.get(name[-1])
        if taken and end < n and text[end] in taken:
            short = _short(name)
            if short is None or short not in by_name:
                pos = end
                continue
            name, end = short, start + len(short)
        out.append((start, end, name, by_name.get(name, ())))  # () for a country
        pos = end
    return out


def leading_name(text: str) -> str | None:
    """The longest division or country name ``text`` opens with (a county's short name aside: 新兴产业)."""
    gaz = gazetteer()
    for size in gaz.lengths.get(text[:1], ()):
        word = text[:size]
        if len(word) == size and (word in gaz.countries or (word in gaz.by_name and word not in gaz.county_short)):
            return word
    return None


def leading_corps_unit(text: str) -> str | None:
    """The Production and Construction Corps' division or regiment ``text`` opens with (农二师二十九团)."""
    m = _CORPS_UNIT.match(text) if text[:1] in "农第" else None
    return m.group() if m else None


def may_start_with_place(text: str) -> bool:
    """A quick test: False only when :func:`find_places` can find no place at the start of ``text``."""
    return bool(
        leading_name(text)
        or text.startswith(_NATION_WORDS)
        or _REFERS_TO_MAIN.match(text)
        or _ZONE.search(text, 0, 24)
        or (text[:1] in "农第" and _CORPS_UNIT.match(text))
    )


def _name_at(text: str, pos: int, gaz: _Gazetteer) -> bool:
    """Whether a gazetteer name starts at ``pos``."""
    return any(text[pos : pos + size] in gaz.by_name for size in gaz.lengths.get(text[pos : pos + 1], ()))


def _longer_from_inside(text: str, start: int, end: int, gaz: _Gazetteer) -> bool:
    """Whether a full name starts inside ``text[start:end]`` and runs past its end."""
    for k in range(start + 1, end):
        for size in gaz.lengths.get(text[k], ()):
            word = text[k : k + size]
            if k + size > end and word in gaz.by_name and word not in gaz.county_short:
                return True
    return False


def _choose(candidates: tuple[Division, ...], named: set[Division]) -> Division:
    """Of several divisions with one name, the one inside a division the text names, else the largest."""
    inside = [d for d in candidates if any(a in named for a in d.chain[:-1])]
    pool = inside or list(candidates)
    return min(pool, key=lambda d: (d.level, d.code or "~"))


def _display(division: Division) -> str:
    if division.level == 3 and division.parent is not None and division.parent.level == 2:
        return division.parent.name + division.name
    return division.name


def place_of(division: Division) -> Place:
    return Place(name=_display(division), division=division)


def find_places(text: str) -> list[PlaceMention]:
    """Every place that ``text`` names, in order, with divisions resolved against each other."""
    gaz = gazetteer()
    raw = _named_divisions(text)
    unambiguous = {ds[0] for _, _, name, ds in raw if len(ds) == 1 and name not in gaz.county_short}
    named = {a for d in unambiguous for a in d.chain}
    by_full_name = {d for _, _, name, ds in raw if name not in gaz.county_short for d in ds if d.name == name}
    introduced = _introduced_short_names(text, raw, named)
    mentions: list[PlaceMention] = []
    last_end = -1
    last_division: Division | None = None
    for start, end, name, candidates in raw:
        if not candidates:  # a country: a place abroad, and never part of a division's name
            if text[end : end + 1] != "族":  # 蒙古族: a nationality
                compared = bool(_COMPARED.search(text[max(0, start - 3) : start]))
                abroad = Place(name=name, abroad=gaz.countries[name])
                mentions.append(PlaceMention(span=(start, end), place=abroad, compared=compared))
            last_division = None
            continue
        if name in gaz.county_short:
            # 甘井子 for 甘井子区, 南县: only where the text writes the full name or introduces the short
            # one (see _introduced_short_names); alone such names are ordinary words (新兴, 合作, 解放).
            candidates = tuple(d for d in candidates if d in by_full_name or d in introduced)
            if not candidates:
                continue
        division = _choose(candidates, named)
        if mentions and last_division is not None and start == last_end and division.within(last_division):
            start = mentions.pop().span[0]  # 大连市甘井子区: one place, the most precise
        compared = bool(_COMPARED.search(text[max(0, start - 3) : start]))
        mentions.append(PlaceMention(span=(start, end), place=place_of(division), compared=compared))
        last_end, last_division = end, division
    mentions.extend(_zones(text, mentions))
    for m in _REFERS_TO_MAIN.finditer(text):
        if _NATION_ADJECTIVE.match(text, m.end()):  # 全省首个, 全市平均水平: a description, not the subject
            continue
        compared = bool(_COMPARED.search(text[max(0, m.start() - 3) : m.start()]))
        mentions.append(PlaceMention(span=m.span(), place=None, compared=compared, main=True))
    for m in re.finditer("|".join(_NATION_WORDS), text):
        if m.group() in ("大陆", "内地") and (
            _NOT_MAINLAND.search(text[max(0, m.start() - 2) : m.start()]) or _NOT_MAINLAND_AFTER.match(text, m.end())
        ):
            continue
        if m.group() == "中国" and _STATE_OWNED.match(text, m.end()) and _IDEOGRAPH_BEFORE.search(text, 0, m.start()):
            continue  # 规模以上工业中国有控股企业: 中 (among) and 国有 (state-owned), not China
        if not _NATION_ADJECTIVE.match(text, m.end()):
            compared = bool(_COMPARED.search(text[max(0, m.start() - 3) : m.start()]))
            mentions.append(PlaceMention(span=m.span(), place=NATION, compared=compared))
    for m in _SELF_REFERENCE.finditer(text):  # 本港, 访港旅客, 全台: how Hong Kong, Macao and Taiwan name themselves
        name = next(_SELF_REFERENCE_OF[ch] for ch in m.group() if ch in _SELF_REFERENCE_OF)
        regions = gaz.by_name.get(name, ())
        if regions:
            mentions.append(PlaceMention(span=m.span(), place=place_of(regions[0])))
    mentions.sort(key=lambda pm: pm.span)
    out = _compared_lists(text, _drop_inner(mentions))
    return [_mark_listed(text, pm) for pm in out]


# A place opening an organisation's name (广东丸美生物技术股份有限公司, 武汉威莎科技有限公司): where it
# was registered, not the place its figures are about.
_ORGANISATION = re.compile(
    r"[\u4e00-\u9fffA-Za-z]{0,14}?(?:有限公司|有限责任公司|股份公司|集团|公司|银行|大学|学院|研究生院|科学院|医院|协会|商会|研究院|研究所)"
)


def _introduced_short_names(
    text: str, raw: list[tuple[int, int, str, tuple[Division, ...]]], named: set[Division]
) -> set[Division]:
    """Counties whose short name the text introduces, so that it names them everywhere after:
    right after its city (大连甘井子), right after the nation (中国大陆昆山台协 … 在昆山登场), or, for a
    county (not a district: 中原区, 和平区 are ordinary words), anywhere in an article naming its city
    (桃江 in an article about 益阳)."""
    gaz = gazetteer()
    out: set[Division] = set()
    last_end = -1
    last: tuple[Division, ...] = ()
    for start, end, name, candidates in raw:
        if name in gaz.county_short:
            after_nation = _NATION_BEFORE.search(text, max(0, start - 4), start) is not None
            for d in candidates:
                after_city = start == last_end and any(d.within(p) for p in last)
                city_named = d.parent is not None and d.parent.level == 2 and d.parent in named
                if after_city or after_nation or (city_named and d.name[-1] in "县市旗"):
                    out.add(d)
        last_end, last = end, candidates
    return out


_NATION_BEFORE = re.compile(r"(?:中国|大陆|内地)$")


def _mark_listed(text: str, pm: PlaceMention) -> PlaceMention:
    if pm.place is not None and not pm.main and _ORGANISATION.match(text, pm.span[1]):
        pm = replace(pm, organisation=True)
    after = text[pm.span[1] : pm.span[1] + 1]
    before = text[max(0, pm.span[0] - 1) : pm.span[0]]
    listed = after in ("、", "和", "及", "等") or before == "、"
    located = text[max(0, pm.span[0] - 2) : pm.span[0]] == "位于"  # 位于新疆南部的二十九团: where it lies
    if listed or after == "的" or located:
        return replace(pm, listed=listed, attributive=after == "的" or located)
    return pm


def _drop_inner(mentions: list[PlaceMention]) -> list[PlaceMention]:
    out: list[PlaceMention] = []
    for pm in mentions:
        if out and pm.span[0] < out[-1].span[1]:
            if pm.span[1] - pm.span[0] > out[-1].span[1] - out[-1].span[0]:
                out[-1] = pm
            continue
        out.append(pm)
    return out


def _zones(text: str, divisions: list[PlaceMention]) -> list[PlaceMention]:
    named = [d for d in divisions if d.place is not None and d.place.division is not None]
    out = []
    for m in _ZONE.finditer(text):
        start = m.start()
        head = text[max(0, start - 6) : start]
        cut = 0
        for stop in _ZONE_STOP.finditer(head):
            cut = stop.end()
        run = re.search(r"[\u4e00-\u9fff]*$", head[cut:])
        zone_start = start - len(run.group() if run else "")
        before = [d for d in named if d.span[0] < start]
        parent = before[-1] if before and before[-1].span[1] >= zone_start else None
        head = text[zone_start:start]
        if parent is not None:
            head = text[parent.span[1] : start]  # 大连市普湾经济区, 黄石市阳新县新港园区: the zone lies in it
            zone_start = parent.span[0]
        suffix = m.group()
        if _GENERIC_ZONE_HEAD.match(head) or suffix in _CITY_TIERS:
            head = ""
            if suffix in _CITY_TIERS and parent is None:
                zone_start = start
        # A weak suffix names a zone without its division only where the text names it again (宁东基地 … 宁东基地).
        weak = suffix in _WEAK_ZONES and (not 2 <= len(head) <= 4 or text.count(head + suffix) < 2)
        if parent is None and ((not head and suffix not in _SPECIFIC_BARE_ZONES) or len(head) == 1 or weak):
            continue
        name = text[zone_start : m.end()]  # as written, with the division it lies in
        division = parent.place.division if parent and parent.place else None
        if division is None and before and before[-1].place is not None:
            division = before[-1].place.division  # the division named last before the zone
        compared = bool(_COMPARED.search(text[max(0, zone_start - 3) : zone_start]))
        zone = head + suffix  # the zone's own name, without the division it lies in
        out.append(PlaceMention(span=(zone_start, m.end()), place=Place(name=name, division=division, zone=zone),
                                compared=compared))  # fmt: skip
    out.extend(_zone_short_names(text, out))
    if "兵团" in text:  # the Production and Construction Corps' own divisions: 农二师二十九团, 第八师
        for m in _CORPS_UNIT.finditer(text):
            out.append(PlaceMention(span=m.span(), place=Place(name=m.group(), zone=m.group())))
    return out


def _zone_short_names(text: str, zones: list[PlaceMention]) -> list[PlaceMention]:
    """A zone named by its proper name alone elsewhere (宁东基地 … 宁东计划投资201亿元): the same zone."""
    out: list[PlaceMention] = []
    taken = [z.span for z in zones]
    for z in zones:
        if z.place is None or z.place.zone is None or z.place.division is not None:
            continue
        head = _ZONE.sub("", z.place.zone)
        if not 2 <= len(head) <= 4 or head != text[z.span[0] : z.span[0] + len(head)]:
            continue
        for m in re.finditer(re.escape(head), text):
            if not any(a <= m.start() < b for a, b in taken) and not _ZONE.match(text, m.end()):
                out.append(PlaceMention(span=m.span(), place=z.place))
                taken.append(m.span())
    return out


_CORPS_UNIT = re.compile(
    r"(?:农|第)[一二三四五六七八九十\d]{1,3}师(?![范傅生资])(?:[一二三四五六七八九十百\d]{1,4}团)?"
)


_NATION_NAMES = {"全国", "中国", "我国", "国内", "全中国", "中华人民共和国"}
_STRIP_SUFFIX = re.compile(r"(?:省|市|区|县)$")


@functools.lru_cache(maxsize=4096)
def resolve_region(text: str | None) -> Place | None:
    """Read a region string (``大连甘井子区``, ``辽宁省大连市甘井子区``, ``普湾经济区``) into a place.

    A string that names no division and no zone comes back as a place of that name alone
    (foreign places, lists such as 南京、苏州等八市).
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if text in _NATION_NAMES:
        return NATION
    mentions = [pm for pm in find_places(text) if pm.place is not None]
    if not mentions:
        return Place(name=text, zone=text)
    divisions = [pm for pm in mentions if pm.place and pm.place.division and not pm.place.zone]
    zones = [pm for pm in mentions if pm.place and pm.place.zone]
    covered = sum(pm.span[1] - pm.span[0] for pm in mentions)
    if len(mentions) == 1 and covered == len(text) and mentions[0].place and mentions[0].place.abroad:
        return mentions[0].place  # 美国
    if zones:
        zone = zones[-1].place
        assert zone is not None
        return zone
    if divisions and (covered == len(text) or _rest_is_suffix(text, divisions)):
        deepest = max(divisions, key=lambda pm: pm.place.division.level if pm.place and pm.place.division else 0)
        assert deepest.place is not None
        return deepest.place
    return Place(name=text, division=mentions[0].place.division if mentions[0].place else None, zone=text)


def _rest_is_suffix(text: str, mentions: list[PlaceMention]) -> bool:
    rest = text
    for pm in reversed(mentions):
        rest = rest[: pm.span[0]] + rest[pm.span[1] :]
    return not re.sub(r"[省市区县\s]", "", rest)


def same_region(predicted: str | None, gold: str | None) -> bool:
    """The eval rule: same division at the level gold names; zones (and others) by containment."""
    if gold is None or not str(gold).strip():
        return True
    g = resolve_region(gold)
    p = resolve_region(predicted)
    if g is None:
        return True
    if p is None:
        return False
    if g.national or p.national:
        return g.national and p.national
    if g.zone is None and p.zone is None and g.division is not None and p.division is not None:
        return p.division.within(g.division)
    a, b = _bare(p.name), _bare(g.name)
    if a and b and (a in b or b in a):
        return True
    if not p.zone or p.division is None:
        return False
    own = _bare(p.zone)  # 新疆兵团 = 新疆生产建设兵团: the zone's own name, inside the same division
    return bool(own) and own in b and (g.division is None or g.division.within(p.division))


def _bare(name: str) -> str:
    return re.sub(r"[省市区县]", "", name)
