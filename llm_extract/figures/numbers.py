"""The number grammar: every figure mention in a text, typed.

A mention is ``[qualifier] [sign] number [多|余] [scale] [多|余] unit [以上|左右…]``, where the
number is Arabic (``1,234.5``, full-width ``１２３４．５``) or Chinese (``两万多``, ``五``), or the
form ``百分之九十八点三``; ranges ``3至5亿元`` share the scale and unit. Direction words before a
figure (``同比增长`` / ``下降``) give it a sign; ``分别增长6%和9%`` passes the direction along a list.

What is *not* a figure, and never yields a mention: a number with neither scale nor unit (years,
phone numbers, list numbering), dates (``9月21日``), ordinals (``第3个``), names with digits
(``5G``, ``4号线``, ``十四五``, ``3+3``), and durations (``5个月``).

>>> [(m.value, m.unit, m.direction) for m in find_mentions("投资68.6亿元,同比增长11.0%")]
[(68.6, '亿元', 0), (11.0, '%', 1)]
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from itertools import accumulate

from llm_extract.types import Kind, Mention

__all__ = [
    "CN_DIGITS",
    "CURRENCY_WORDS",
    "ParsedUnit",
    "chinese_to_number",
    "find_mentions",
    "parse_unit",
    "to_ascii_digits",
]

_FULLWIDTH = dict(zip("０１２３４５６７８９．，％－", "0123456789.,%-", strict=True))
_FULLWIDTH_CHAR = re.compile("[" + "".join(_FULLWIDTH) + "]")


def _ascii(m: re.Match[str]) -> str:
    return _FULLWIDTH[m.group()]


def to_ascii_digits(text: str) -> str:
    """Full-width digits and their punctuation to ASCII, one char for one (for matching only).

    (A substitution on the few full-width characters: ``str.translate`` looks every character
    of a CJK text up in its table, about twenty times slower.)
    """
    return _FULLWIDTH_CHAR.sub(_ascii, text)


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_DIGITS = _CN_DIGITS  # the digit characters of Chinese numerals (二〇二二年 is read digit by digit)
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def chinese_to_number(text: str) -> float:
    """Parse a Chinese numeral (``三千五百``, ``十二``, ``九十八点三``, ``一百二十万``)."""
    if "点" in text:
        whole, _, frac = text.partition("点")
        digits = "".join(str(_CN_DIGITS[c]) for c in frac)
        return (chinese_to_number(whole) if whole else 0.0) + float(f"0.{digits}")
    total = 0.0
    section = 0.0
    digit: float | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[ch] if total < _CN_BIG[ch] else total + section * _CN_BIG[ch]
            section = 0
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (digit or 0)


# --- units -------------------------------------------------------------------------------

_CURRENCIES = {
    "美元": "USD",
    "美金": "USD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
    "韩元": "KRW",
    "澳元": "AUD",
    "新台币": "TWD",
    "澳门元": "MOP",
    "澳门币": "MOP",
    "元人民币": "CNY",
    "元": "CNY",
}
_AREA = ("平方公里", "平方千米", "平方米", "平米", "公顷", "亩")
_PHYSICAL = (
    "千瓦时", "万千瓦", "兆瓦", "千瓦", "吉瓦", "度电", "度", "吨标准煤", "标准煤", "标箱", "吨", "千克", "公斤", "斤",
    "公里", "千米", "立方米", "方", "升", "辆", "台", "架", "艘", "列", "千伏", "米",
    "个工作日", "工作日", "个月", "小时", "天",
)  # fmt: skip
_COUNT = (
    "人次", "户次", "架次", "人", "户", "家", "个", "项", "次", "批", "所", "座", "条", "名", "位", "件", "场", "种",
    "款", "套", "栋", "处", "间", "张", "头", "只", "部", "宗", "单", "份", "届", "支", "块", "根", "对", "起", "例",
    "床", "笔", "片", "亿斤", "堂", "班次", "场次", "辆次", "车次", "艘次", "台(套)", "台（套）", "班",
)  # fmt: skip
_UNIT_KIND: dict[str, Kind] = {
    **{u: Kind.AREA for u in _AREA},
    **{u: Kind.PHYSICAL for u in _PHYSICAL},
    **{u: Kind.COUNT for u in _COUNT},
    "%": Kind.PERCENT,
    "％": Kind.PERCENT,
    "个百分点": Kind.POINTS,
    "百分点": Kind.POINTS,
    "倍": Kind.MULTIPLE,
    "成": Kind.TENTHS,
    "分": Kind.PHYSICAL,  # points of a score; read only where _SCORE allows
}
_CANONICAL_UNIT = {"平米": "平方米", "平方千米": "平方公里", "千米": "公里", "％": "%", "百分点": "个百分点"}

_SCALES = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "亿": 1e8,
    "万": 1e4,
}
_SCALES.update({"萬億": 1e12, "億": 1e8, "萬": 1e4, "千": 1e3, "百": 1e2})


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


_MONEY_UNIT = rf"(?:人民币)?(?:{_alt(_CURRENCIES)})(?:人民币)?"
_OTHER_UNIT = _alt([u for u in _UNIT_KIND if u not in {"成", "分"}])
# 千 and 百 are scales only where they are not the start of a unit (千瓦, 千克, 百分点).
_SCALE = r"(?:万亿|萬億|千亿|百亿|十亿|千万|百万|十万|亿|億|万|萬|千(?!瓦|克|米|伏)|百(?!分))"

# 分 of a score (综合判断分数降为20分), not of a time (10时20分), a minute (20分钟) or a word (3分之1, 分别).
_SCORE = r"(?<=[0-9０-９一两二三四五六七八九十])分(?![钟之别析布配享行局会厂店公子红成秒])"
_ARABIC = r"[0-9０-９]+(?:[,，][0-9０-９]{3}(?![0-9０-９]))*(?:[.．][0-9０-９]+)?"
_CN_NUM = r"[零〇一二两三四五六七八九十百千万亿萬億]+(?:点[零〇一二三四五六七八九]+)?"
_PRE_WORDS = (
    "将近", "接近", "大约", "约合", "超过", "高达", "不足", "不到",
    "不少于", "不低于", "不超过", "至少", "近", "超", "约", "逾",
)  # fmt: skip
# 约 ends words too (签约, 合约, 节约, 预约): there it is no qualifier.
_PRE_QUAL = rf"(?P<pre>{'|'.join(w if w != '约' else '(?<![签合节预条公制契婚履相邀])约' for w in _PRE_WORDS)})?"
_POST_QUAL = r"(?P<post>以上|左右|上下|以下|以内|多)?"
_RANGE_SEP = r"(?:至|到|~|～|-|－|—)"

_FIGURE_BODY = rf"""
    {_PRE_QUAL}
    (?:
        (?P<pct>百分之)(?P<pctnum>{_CN_NUM}|{_ARABIC})
      | (?P<neg>[-－负])?
        (?:(?P<low>{_ARABIC}|{_CN_NUM})(?P<lowmore>多|余)?{_RANGE_SEP})?
        (?P<num>{_ARABIC}|{_CN_NUM})
        (?P<more1>多|余)?
        (?P<scale>{_SCALE})?
        (?P<more2>多|余)?
        (?P<unit>{_MONEY_UNIT}|{_OTHER_UNIT}|成(?![为员功本果立效都交型品熟绩长就])|{_SCORE}|(?<![0-9]{3})(?<=[0-9二两三四五六七八九十])大(?=[\u4e00-\u9fff])(?!连|庆|同|理|兴|冶|足|邑|埔|竹|田|会|精))?
    )
    {_POST_QUAL}
    """
# Where a figure can start: a qualifier, 百分之, a sign or a digit. Looking at that one character
# first lets the scan skip other positions at once (the matches are the same, found ~3× faster).
_FIGURE_START = "".join(
    re.escape(c)
    for c in sorted(
        {w[0] for w in _PRE_WORDS} | set("百-－负0123456789０１２３４５６７８９零〇一二两三四五六七八九十千万亿萬億")
    )
)
_FIGURE = re.compile(rf"(?=[{_FIGURE_START}]){_FIGURE_BODY}", re.VERBOSE)
_DOUBLING = re.compile(r"翻(?:了)?(?:(?P<n>一|两|二|三)番|番)")
_FLAT = re.compile(r"(?<!保)持平|零增长")  # 保持平稳 keeps things steady; it compares nothing
# A scale with no number: 上万人, 超万亿元, 万余人, 近千家 (the number is one).
_IMPLIED_ONE = re.compile(
    rf"(?P<pre>上|超|近|逾|过|破)?(?P<scale>万亿|千亿|百亿|亿|千万|百万|万|千)(?P<more>余|多)?(?P<unit>{_MONEY_UNIT}|{_OTHER_UNIT})"
)
_BARE_DECIMAL = re.compile(r"(?<![0-9０-９.．A-Za-z])[0-9０-９]+[.．][0-9０-９]+(?![0-9０-９.．%％A-Za-z])")
# "0.7和0.4个百分点", "7.2个、5.2个百分点": a list whose unit is written once, at its end.
_ELIDED = re.compile(rf"({_ARABIC})(个)?(?:和|、|及|与|或)$")

_UP = (
    r"同比增长|比上年增长|增长|增速为|增速达|增速|增幅为|增幅|上涨|涨幅|提高|提升|增加|上升|回升|增|涨|高于|高出|快于"
    r"|成长|年增(?![加长速幅])|升值|拉动|高"
)
_DOWN = r"下降|减少|回落|下滑|降低|下跌|降幅|跌幅|衰退|萎缩|收窄|年减(?!少)|贬值|减|降|跌|低于|慢于|负增长|缩小|低"
_DIRECTION = re.compile(rf"(?P<down>{_DOWN})|(?P<up>{_UP})")
# Text allowed between a direction word and its rate: "同比增长", "比上年同期增长了", "增速为".
_BRIDGE = re.compile(r"^[了为达到约近超逾分别均都各是也还仍已仅只:：\s]*$")
# "增速高于全市5.9个百分点": a comparative may name what it is compared with before the number.
_COMPARATIVE = {"高于", "低于", "快于", "慢于", "高出"}
_COMPARED_TO = re.compile(r"^(?:同期)?[\u4e00-\u9fff]{0,6}?(?:的)?(?:平均水平|水平)?[了为达约近超逾\s]*$")
_LIST_GLUE = re.compile(r"^\s*(?:和|与|及|、|,|，|/|以及|或|至|到|-|－|~|～)\s*$")

_NOT_BEFORE = re.compile(r"[A-Za-z0-9０-９第.．+#№]$")
_NOT_AFTER = re.compile(r"^(?:[A-Za-z+#]|号|期工程|线|届|代|路|楼|层|栋|维|星级|批次)")
_DURATION_AFTER = re.compile(r"^(?:月|小时|工作日|季度|年度|周|天|星期|多月|余月)")
_TIME_CN = re.compile(r"^(?:年|月|日|季度|周|时)")


@dataclass(frozen=True, slots=True)
class ParsedUnit:
    """A unit string split into scale, kind, canonical unit word and currency."""

    scale: float
    kind: Kind
    word: str
    currency: str | None = None


_UNIT_STRING = re.compile(rf"^(?P<scale>{_SCALE})?(?:多|余)?(?P<unit>{_MONEY_UNIT}|{_OTHER_UNIT}|成|大|分)?$")


@functools.lru_cache(maxsize=4096)
def parse_unit(unit: str | None) -> ParsedUnit | None:
    """Parse a unit as written (``亿元``, ``万人次``, ``%``, ``个百分点``); ``None`` if unknown.

    ``parse_unit(None)`` and ``parse_unit("")`` give a bare unit of scale 1.
    """
    if not unit:
        return ParsedUnit(1.0, Kind.BARE, "")
    m = _UNIT_STRING.match(to_ascii_digits(unit.strip()))
    if not m or not (m.group("scale") or m.group("unit")):
        return None
    scale = _SCALES.get(m.group("scale") or "", 1.0)
    word = m.group("unit") or ""
    if not word:
        return ParsedUnit(scale, Kind.BARE, "")
    currency = _currency(word)
    if currency:
        return ParsedUnit(scale, Kind.MONEY, "元", currency)
    if word == "大":
        return ParsedUnit(scale, Kind.COUNT, "大")
    return ParsedUnit(scale, _UNIT_KIND[word], _CANONICAL_UNIT.get(word, word))


def _currency(word: str) -> str | None:
    core = word.replace("人民币", "")
    if not core and word:
        return "CNY"
    return _CURRENCIES.get(core) or (_CURRENCIES.get(core + "人民币") if core == "元" else None)


def _number(text: str) -> tuple[float, bool]:
    """Value of an Arabic or Chinese number token, and whether it was Chinese."""
    ascii_text = to_ascii_digits(text).replace(",", "")
    if ascii_text[0].isdigit():
        return float(ascii_text), False
    return chinese_to_number(text), True


_CN_SCALE_ENDINGS = ("万亿", "萬億", "亿", "億", "万", "萬")


def _split_cn_scale(token: str) -> tuple[str, str]:
    """``一百二十万`` -> (``一百二十``, ``万``): a trailing 万/亿 acts as the scale."""
    for scale in _CN_SCALE_ENDINGS:
        if token.endswith(scale) and len(token) > len(scale):
            return token[: -len(scale)], scale
    return token, ""


_ANY_FIGURE = re.compile(r"[0-9０-９〇零一二两三四五六七八九十百千万亿萬億]|持平")


def find_mentions(text: str) -> list[Mention]:
    """Every figure in ``text``, in order, with spans into ``text``.

    The last few texts' results are kept (the pipeline and the rules both scan the same article).
    """
    return list(_find_mentions(text)) if _ANY_FIGURE.search(text) else []


@functools.lru_cache(maxsize=8)
def _find_mentions(text: str) -> tuple[Mention, ...]:
    ascii_text = to_ascii_digits(text)
    out: list[Mention] = []
    for m in _FIGURE.finditer(text):
        if not _has_unit_or_scale(m):
            continue  # a year, a list number: never a figure (see _mention), so not looked at
        mention = _mention(text, ascii_text, m)
        if mention is not None:
            out.append(mention)
    out.extend(_doublings(text))
    out.extend(_fractions(text))
    out.extend(_implied_ones(text, out))
    out.extend(_bare_decimals(text, out))
    out.sort(key=lambda x: x.span)
    out = _compounds(text, out)
    out = _with_elided_units(text, out)
    out = _with_declared_currency(text, out)
    return tuple(_with_directions(text, out))


# 342亿元（港币，下同）: the text declares the currency its 元 amounts are counted in from there on
_DECLARED_CURRENCY = re.compile(
    r"[（(]\s*(港币|港元|新台币|美元|欧元|日元|澳门元|澳门币|澳元|英镑)\s*[，,、]?\s*下同\s*[）)]"
)
# Each foreign currency's usual written name (the first of its names above): HKD -> 港元.
CURRENCY_WORDS = {code: word for word, code in reversed(_CURRENCIES.items()) if code != "CNY"}


def _with_declared_currency(text: str, mentions: list[Mention]) -> list[Mention]:
    """Amounts in bare 元 from a currency declaration on (the amount right before it included)."""
    declarations = list(_DECLARED_CURRENCY.finditer(text)) if "下同" in text else []
    if not declarations:
        return mentions
    out = []
    for m in mentions:
        declared = [d for d in declarations if d.start() <= m.span[1] + 1]
        renminbi = "人民币" in m.text or text[max(0, m.span[0] - 3) : m.span[0]] == "人民币"
        if declared and m.kind is Kind.MONEY and m.currency == "CNY" and not renminbi:
            m = replace(m, currency=_currency(declared[-1].group(1)))
        out.append(m)
    return out


def _has_unit_or_scale(m: re.Match[str]) -> bool:
    """Whether a match has a unit, a scale or is a percentage (``_mention`` rejects the rest)."""
    return bool(m["pct"] or m["unit"] or m["scale"] or (m["num"] or "").endswith(_CN_SCALE_ENDINGS))


def _mention(text: str, ascii_text: str, m: re.Match[str]) -> Mention | None:
    start, end = m.span()
    if m.group("pct"):
        value, _ = _number(m.group("pctnum"))
        return Mention(span=(start, end), text=text[start:end], value=value, scale=1.0, unit="%", kind=Kind.PERCENT,
                       qualifier=m.group("pre") or m.group("post"))  # fmt: skip
    num = m.group("num")
    if num is None:
        return None
    num_start = m.start("low") if m.group("low") else m.start("num")
    negative = bool(m.group("neg"))
    if negative and re.search(r"[0-9０-９%％万亿千百]$", text[max(0, m.start("neg") - 1) : m.start("neg")]):
        negative = False  # "16%-37%": a range, not a minus sign
    elif negative:
        num_start = m.start("neg")
    scale_word = m.group("scale") or ""
    unit_word = m.group("unit") or ""
    chinese = not to_ascii_digits(num)[0].isdigit()
    before = ascii_text[max(0, num_start - 1) : num_start]
    if _NOT_BEFORE.search(before) and not (
        before.isascii() and before.isalpha() and (scale_word or unit_word) and not chinese
    ):
        return None  # 5G, G20, 第3个; but "GDP4402.98亿元" is a figure
    if chinese and not scale_word:
        num, scale_word = _split_cn_scale(num)
    if chinese and not num.strip("零〇万亿萬億千百"):
        return None  # 万余人 is read by _implied_ones
    if not unit_word and not scale_word:
        return None
    after = text[end : end + 4]
    if not unit_word and _NOT_AFTER.match(after):
        return None
    if unit_word in {"个", ""} and _DURATION_AFTER.match(after):
        return None
    if unit_word in {"个月", "天", "小时"} and text[max(0, num_start - 1) : num_start] in ("前", "近", "头", "后"):
        return None  # 前5个月, 近3天: a period, not a figure
    if unit_word == "分" and (text[max(0, num_start - 1) : num_start] in ("时", "点", ":", "：") or scale_word):
        return None  # 10时20分: a time
    if not unit_word and (chinese or _TIME_CN.match(after)):
        return None  # a bare Chinese numeral with a scale is a word (万一, 千万), not a figure
    try:
        value, _ = _number(num)
        low = _number(m.group("low"))[0] if m.group("low") else None
    except (ValueError, KeyError):
        return None
    if chinese and value == 1 and not scale_word and unit_word in _COUNT:
        return None  # 一个, 一批, 一家: idiom, not a count
    if chinese and unit_word and re.match(r"^[一二两三四五六七八九十]", after):
        return None  # 四个一工作法
    parsed = parse_unit(scale_word + unit_word)
    if parsed is None:
        return None
    if negative:
        value = -value
        low = -low if low is not None else None
    qualifier = m.group("pre") or m.group("post") or m.group("more1") or m.group("more2") or m.group("lowmore")
    span_start = start if m.group("pre") else num_start
    return Mention(
        span=(span_start, end),
        text=text[span_start:end],
        value=low if low is not None else value,
        high=value if low is not None else None,
        scale=parsed.scale,
        unit=scale_word + unit_word,
        kind=parsed.kind,
        currency=parsed.currency,
        qualifier=qualifier,
        direction=-1 if negative else 0,
    )


def _doublings(text: str) -> list[Mention]:
    """``翻了一番`` is growth of 100%, ``翻两番`` 300%; ``持平`` and ``零增长`` are 0%."""
    times = {"一": 1, "两": 2, "二": 2, "三": 3}
    out = []
    for m in _DOUBLING.finditer(text):
        value = (2.0 ** times[m.group("n") or "一"] - 1) * 100  # 翻番 is 翻一番
        out.append(Mention(span=m.span(), text=m.group(), value=value, scale=1.0, unit="%", kind=Kind.PERCENT,
                           direction=1, direction_word="翻番"))  # fmt: skip
    for m in _FLAT.finditer(text):
        out.append(Mention(span=m.span(), text=m.group(), value=0.0, scale=1.0, unit="%", kind=Kind.PERCENT,
                           direction=0, direction_word=m.group()))  # fmt: skip
    return out


_FRACTION = re.compile(r"(?<!百)(?P<den>[二三四五六七八九十]+|[0-9]+)分之(?P<num>[一二三四五六七八九十]+|[0-9]+)|一半")


def _fractions(text: str) -> list[Mention]:
    """``六分之一`` (16.67%), ``三分之二``, ``一半`` (50%): shares written as fractions."""
    out = []
    for m in _FRACTION.finditer(text):
        if m.group() == "一半":
            value = 50.0
        else:
            den, num = (_number(m.group(g))[0] for g in ("den", "num"))
            if not den or num > den:
                continue
            value = 100.0 * num / den
        out.append(Mention(span=m.span(), text=m.group(), value=value, scale=1.0, unit="%", kind=Kind.PERCENT))
    return out


class _Taken:
    """Spans already claimed by mentions, for overlap queries in O(log n)."""

    def __init__(self, taken: list[Mention]) -> None:
        spans = sorted(m.span for m in taken)
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))  # furthest end among spans up to here

    def free(self, span: tuple[int, int]) -> bool:
        """No taken span overlaps ``span``: none that starts before it ends reaches past its start."""
        k = bisect_left(self.starts, span[1])
        return k == 0 or self.reach[k - 1] <= span[0]


def _implied_ones(text: str, taken: list[Mention]) -> list[Mention]:
    out = []
    claimed = _Taken(taken)
    for m in _IMPLIED_ONE.finditer(text):
        if not (m.group("pre") or m.group("more")) or not claimed.free(m.span()):
            continue
        if (
            not m.group("pre")
            and m.start() > 0
            and re.match(r"[0-9０-９零〇一二两三四五六七八九十百千万亿]", text[m.start() - 1])
        ):
            continue
        parsed = parse_unit(m.group("scale") + m.group("unit"))
        if parsed is None:
            continue
        out.append(Mention(span=m.span(), text=m.group(), value=1.0, scale=parsed.scale,
                           unit=m.group("scale") + m.group("unit"), kind=parsed.kind, currency=parsed.currency,
                           qualifier=m.group("pre") or m.group("more")))  # fmt: skip
    return out


def _bare_decimals(text: str, taken: list[Mention]) -> list[Mention]:
    """Decimals with no unit (ratios such as 倍差2.37) are figures too, of kind BARE."""
    out = []
    claimed = _Taken(taken)
    for m in _BARE_DECIMAL.finditer(text):
        if claimed.free(m.span()):
            value = float(to_ascii_digits(m.group()))
            out.append(Mention(span=m.span(), text=m.group(), value=value, scale=1.0, unit="", kind=Kind.BARE))
    return out


# "1兆5451亿元" (Taiwan: 兆 = 万亿), "3亿5000万元": a higher scale written just before the figure.
_HIGHER = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)(兆|亿|億)$")
_HIGHER_SCALE = {"兆": 1e12, "亿": 1e8, "億": 1e8}
# "6万至8万元", "2.48亿、1.36亿和0.16亿美元": items whose unit is written once, after the last.
_RANGE_OR_LIST = re.compile(r"^\s*(?:至|到|~|～|-|－|—|、|和|及|与|或|,|，)\s*$")


def _compounds(text: str, mentions: list[Mention]) -> list[Mention]:
    """Join compound numbers (``1兆5451亿元`` = 15451亿元) and give a scaled item of a range or
    list the unit its last item writes (``6万至8万元``: 6万元)."""
    out = list(mentions)
    for i, m in enumerate(out):
        if m.scale in (1e8, 1e4) and m.kind is not Kind.BARE and m.text[:1].isdigit() and m.high is None:
            head = _HIGHER.search(to_ascii_digits(text[max(0, m.span[0] - 12) : m.span[0]]))
            if head is not None and _HIGHER_SCALE[head.group(2)] > m.scale:
                start = m.span[0] - len(head.group())
                value = float(head.group(1)) * _HIGHER_SCALE[head.group(2)] / m.scale + m.value
                out[i] = replace(m, span=(start, m.span[1]), text=text[start : m.span[1]], value=value)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if (
            a.kind is Kind.BARE
            and b.kind is not Kind.BARE
            and a.scale == b.scale > 1
            and a.high is None
            and _RANGE_OR_LIST.match(text[a.span[1] : b.span[0]])
        ):
            out[i] = replace(a, unit=b.unit, kind=b.kind, currency=b.currency)
    # Drop what a compound swallowed (the "1兆" of "1兆5451亿元" is no figure of its own).
    kept: list[Mention] = []
    for m in out:
        while kept and kept[-1].span[0] >= m.span[0] and kept[-1].span[1] <= m.span[1] and kept[-1] is not m:
            kept.pop()
        kept.append(m)
    return kept


def _with_elided_units(text: str, mentions: list[Mention]) -> list[Mention]:
    """Give list items written without a unit the unit of the item that ends the list."""
    result = list(mentions)
    i = len(result) - 1
    while i >= 0:
        head = result[i]
        m = _ELIDED.search(text, max(0, head.span[0] - 24), head.span[0])
        if (
            m is None
            or head.kind in {Kind.BARE, Kind.TENTHS}
            or re.match(r"[0-9０-９.．]", text[m.start() - 1 : m.start()] or "x")
        ):
            i -= 1
            continue
        span = (m.start(1), m.end(2) if m.group(2) else m.end(1))
        value = float(to_ascii_digits(m.group(1)).replace(",", ""))
        item = Mention(span=span, text=text[span[0] : span[1]], value=value, scale=head.scale, unit=head.unit,
                       kind=head.kind, currency=head.currency)  # fmt: skip
        # Replace a mention the item was already read as ("7.2个" as a count, "0.7" as a bare decimal).
        j = i
        while j > 0 and result[j - 1].span[1] > span[0]:
            j -= 1
        result[j:i] = [item]
        i = j
    return result


_CLAUSE_BREAK = re.compile(r"[。；;！!？?\n]")
_RATE_KINDS = {Kind.PERCENT, Kind.MULTIPLE, Kind.TENTHS}


def _with_directions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Attach the direction word governing each rate (or inherited along a list)."""
    out: list[Mention] = []
    prev: Mention | None = None
    for mention in mentions:
        if mention.direction_word:
            out.append(mention)
            prev = mention
            continue
        start = mention.span[0]
        floor = prev.span[1] if prev else 0
        window = text[max(floor, start - 16) : start]
        clause = _CLAUSE_BREAK.split(window)[-1]
        direction, word = mention.direction, None
        best = None
        for d in _DIRECTION.finditer(clause):
            rest = clause[d.end() :]
            if _BRIDGE.match(rest) or (d.group() in _COMPARATIVE and _COMPARED_TO.match(rest)):
                best = d
                break
        if best is not None and re.search(r"[到至]", clause[best.end() :]):
            best = None  # 提高到72.7%, 下跌至9.9%: the new level, not a change
        if best is not None:
            word = best.group()
            if direction == 0:
                direction = -1 if best.group("down") else 1
        elif (
            prev is not None
            and prev.direction_word
            and (prev.kind is mention.kind or {prev.kind, mention.kind} <= _RATE_KINDS)
            and _LIST_GLUE.match(text[prev.span[1] : start])
        ):
            direction, word = prev.direction, prev.direction_word
        updated = Mention(
            span=mention.span, text=mention.text, value=mention.value, scale=mention.scale, unit=mention.unit,
            kind=mention.kind, currency=mention.currency, qualifier=mention.qualifier, direction=direction,
            direction_word=word, high=mention.high,
        )  # fmt: skip
        out.append(updated)
        prev = updated
    return out
