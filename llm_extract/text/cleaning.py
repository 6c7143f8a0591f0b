"""Cleaning: raw article text to the text the model and the verifier see, with an offset map.

Cleaning is a chain of small steps (:data:`DEFAULT_CHAIN`). Each step is a callable
``str -> Step``: the new text, for every new character the offset of the character it came
from, and any spans it marks unreliable. Steps only delete characters or replace one
character by one character, so the composed map sends every cleaned character to a raw one.

The steps, in order:

1. :func:`strip_pinyin` removes pinyin annotations such as ``網(wǎng)`` (keeping ``網``) and the
   corrupted ``?jiān)`` form, whose neighbourhood is marked unreliable.
2. :func:`to_simplified` applies OpenCC ``t2s``, which maps n characters to n characters;
   the step asserts it.
3. :func:`drop_boilerplate` deletes whole lines by rules (navigation, link lists ending in a
   date, copyright and disclaimer footers, ``|``-separated lists, captions, front matter).
   A line holding a money or percent figure is never deleted.
4. :func:`keep_main_content` keeps the article body and drops the page furniture around it,
   judged by the shape of lines (:mod:`llm_extract.text.content`); the page title and dateline stay.
5. :func:`normalise_whitespace` trims each line and collapses runs of blank lines.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from llm_extract.text.content import find_body
from llm_extract.types import Cleaned

__all__ = [
    "DEFAULT_CHAIN",
    "Step",
    "clean",
    "drop_boilerplate",
    "dropped_lines",
    "is_boilerplate_line",
    "keep_main_content",
    "normalise_whitespace",
    "strip_pinyin",
    "to_simplified",
]


@dataclass(frozen=True, slots=True)
class Step:
    """One cleaning step's result: ``index[i]`` is the input offset of output char ``i``."""

    text: str
    index: Sequence[int]
    unreliable: tuple[tuple[int, int], ...] = ()
    # Optionally the same map as the input ranges kept, in order (``index`` is their concatenation):
    # lets :func:`clean` compose maps range by range instead of character by character.
    kept: tuple[tuple[int, int], ...] | None = None


Cleaner = Callable[[str], Step]

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_SYLLABLE = rf"(?=[a-zü{_TONED}]*[{_TONED}])[a-zü{_TONED}]{{1,6}}"
_IDEOGRAPH = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_PINYIN = re.compile(rf"(?<={_IDEOGRAPH})[(（]{_SYLLABLE}[)）]")
_CORRUPT_PINYIN = re.compile(rf"\?{_SYLLABLE}[)）]")
# After a corrupted fragment, the characters that may have lost a digit: up to the next ideograph.
_DAMAGED_TAIL = re.compile(r"[?0-9０-９.．,，]*")


def _delete_matches(text: str, pattern: re.Pattern[str]) -> tuple[str, Sequence[int], list[int]]:
    """Delete every match of ``pattern``; return new text, its index, and the cut points."""
    if pattern.search(text) is None:
        return text, range(len(text)), []
    parts: list[str] = []
    index: array[int] = array("i")
    cuts: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        parts.append(text[pos : m.start()])
        index.extend(range(pos, m.start()))
        cuts.append(len(index))
        pos = m.end()
    parts.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(parts), index, cuts


def strip_pinyin(text: str) -> Step:
    """Remove ``字(zì)`` pinyin debris; remove ``?jiān)`` and mark its neighbourhood unreliable."""
    first, index1, _ = _delete_matches(text, _PINYIN)
    second, index2, cuts = _delete_matches(first, _CORRUPT_PINYIN)
    unreliable: list[tuple[int, int]] = []
    for cut in cuts:
        tail = _DAMAGED_TAIL.match(second, cut)
        end = tail.end() if tail else cut
        unreliable.append((max(cut - 1, 0), max(end, cut + 1)))
    if isinstance(index1, range):
        return Step(second, index2, tuple(unreliable))
    return Step(second, array("i", map(index1.__getitem__, index2)), tuple(unreliable))


@functools.cache
def _t2s() -> Callable[[str], str]:
    import opencc  # deferred: building the converter reads its dictionaries

    return cast(Callable[[str], str], opencc.OpenCC("t2s").convert)


def to_simplified(text: str) -> Step:
    """Traditional to Simplified with OpenCC ``t2s``; it never changes the length."""
    out = _t2s()(text)
    if len(out) != len(text):
        raise AssertionError("OpenCC t2s changed the text length; the offset map would break")
    return Step(out, range(len(text)))


# --- boilerplate -------------------------------------------------------------------------

_MONEY_OR_PERCENT = re.compile(
    r"[0-9０-９一二三四五六七八九十两百千万亿点][万亿千百]?(?:[美欧港日]?元|美金|%|％|个百分点)"
    r"|百分之"
)
_DATE_END = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*$")
_NAV = re.compile(
    r"当前位置|您的位置|首页\s*[>＞»]|[>＞»]{2}|字体[:：]?\s*[\[【]|【打印】|【关闭】|返回顶部|分享让更多人看到"
    r"|分享到|扫一扫|^\s*(?:上一篇|下一篇|相关阅读|相关新闻|推荐阅读|热门推荐|责任编辑|责编|编辑)[:：]"
    r"|^\s*\(责编[:：].*\)\s*$|^\s*(?:小字号|大字号|打印本页|关闭窗口|收藏|点击量|浏览次数)"
    r"|^\s*(?:关键词|关键字|标签)[:：]\s*$"
)
_FOOTER = re.compile(
    r"凡注有|版权所有|版权与免责|免责声明|未经许可不得转载|转载请注明|转载目的|文责自负|不构成任何投资建议"
    r"|风险自担|ICP备|ICP证|违法和不良信息|举报电话|联系我们|Copyright|©"
)
_CAPTION = re.compile(r"^\s*[(（]?(?:资料图|图片来源|图为|图源|摄影|供图)|(?:供图|摄|图片来源[:：].*|资料图)[)）]?\s*$")
_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_]+:\s|^\s+-\s+\S|^---\s*$")


_DATELINE = re.compile(
    r"^\s*(?:信息|发布|发稿|更新|发表)?(?:时间|日期)\s*[:：]|来源[:：]|^\s*(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s*(?:[|｜丨]|$)"
)


def is_boilerplate_line(line: str) -> bool:
    """Whether one line (without its newline) is page furniture rather than article text.

    Never true for a line holding a money or percent figure, nor for a dateline or source
    line (``2022年09月27日06:29 | 来源:辽宁日报``): the dateline resolves ``今年``.
    """
    stripped = line.strip()
    if not stripped or _MONEY_OR_PERCENT.search(stripped) or _DATELINE.search(stripped):
        return False
    if _NAV.search(stripped) or _FOOTER.search(stripped):
        return True
    if _DATE_END.search(stripped) and len(stripped) <= 80:
        return True  # link-title lists: "- 标题…2022-06-14"
    if stripped.count("|") >= 3 or stripped.count("｜") >= 3:
        return True
    return bool(_CAPTION.search(stripped)) and len(stripped) <= 60


def _front_matter_end(lines: list[str]) -> int:
    """Number of leading lines that form a ``---`` YAML front-matter block, else 0."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() == "---":
            return i + 1
    return 0


_KEEP_FRONT_MATTER = re.compile(r"^\s*(?:title|date|published|time)\s*:", re.IGNORECASE)


def drop_boilerplate(text: str) -> Step:
    """Delete boilerplate lines (and their newline); keep title and date front-matter lines."""
    lines = text.splitlines(keepends=True)
    front = _front_matter_end(lines)
    kept: list[tuple[int, int]] = []  # the input ranges kept
    pos = 0
    in_disclaimer = False
    for n, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if n < front:
            drop = not _KEEP_FRONT_MATTER.match(body)
        else:
            drop = is_boilerplate_line(body) and not _byline_date(body, lines, n)
            if drop and _FOOTER.search(body):
                in_disclaimer = True
            elif in_disclaimer and re.match(r"^\s*\d{1,2}[\s.、]", body) and not _MONEY_OR_PERCENT.search(body):
                drop = True  # numbered items of a disclaimer block
            elif body.strip():
                in_disclaimer = False
        if not drop:
            if kept and kept[-1][1] == pos:
                kept[-1] = (kept[-1][0], pos + len(line))
            else:
                kept.append((pos, pos + len(line)))
        pos += len(line)
    return _keeping(text, kept)


def _byline_date(body: str, lines: list[str], n: int) -> bool:
    """A short line ending in a date next to the source line (``来源：新浪科技`` / ``酷勤网收集 2009-11-01``)
    is the article's byline, not a headline in a list: it dates the article."""
    if not _DATE_END.search(body) or len(body.strip()) > 30:
        return False
    neighbours = (lines[k].strip() for k in (n - 1, n + 1) if 0 <= k < len(lines))
    return any(_DATELINE.search(line) for line in neighbours)


def keep_main_content(text: str) -> Step:
    """Keep the article body, the page title and the dateline; drop the furniture around them."""
    body = find_body(text)
    kept: list[tuple[int, int]] = []
    for start, end in body.kept_ranges():
        if kept and kept[-1][1] == start:
            kept[-1] = (kept[-1][0], end)
        else:
            kept.append((start, end))
    if kept == [(0, len(text))]:
        return Step(text, range(len(text)))
    return _keeping(text, kept)


def normalise_whitespace(text: str) -> Step:
    """Trim spaces at line ends, drop blank-line runs to one, remove leading/trailing blanks."""
    kept: list[tuple[int, int]] = []  # the input ranges kept, in order
    pos = 0
    blank_run = 0
    seen_text = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = len(line) - len(body)
        stripped = body.strip(" \t\u3000\xa0\u200b\ufeff")
        if not stripped:
            blank_run += 1
            if seen_text and blank_run == 1 and ending:
                kept.append((pos + len(line) - 1, pos + len(line)))  # one newline marks the paragraph break
            pos += len(line)
            continue
        blank_run = 0
        seen_text = True
        lead = len(body) - len(body.lstrip(" \t\u3000\xa0\u200b\ufeff"))
        kept.append((pos + lead, pos + lead + len(stripped)))
        if ending:
            kept.append((pos + len(line) - 1, pos + len(line)))  # one character of the line ending ("\n" of "\r\n")
        pos += len(line)
    while kept and text[kept[-1][0]] in "\r\n":  # never end on a dangling line break
        kept.pop()
    return _keeping(text, kept)


def _keeping(text: str, kept: list[tuple[int, int]]) -> Step:
    """The step that keeps the ``kept`` ranges of ``text``, in order, and deletes the rest."""
    index: array[int] = array("i")
    for start, end in kept:
        index.extend(range(start, end))
    return Step("".join(text[start:end] for start, end in kept), index, kept=tuple(kept))


DEFAULT_CHAIN: tuple[Cleaner, ...] = (
    strip_pinyin,
    to_simplified,
    drop_boilerplate,
    keep_main_content,
    normalise_whitespace,
)


def clean(raw: str, *, chain: Sequence[Cleaner] = DEFAULT_CHAIN) -> Cleaned:
    """Run ``chain`` over ``raw`` and return the cleaned text with its map back to ``raw``."""
    text = raw
    index: Sequence[int] = range(len(raw))  # the identity until a step deletes something
    unreliable: list[tuple[int, int]] = []
    for step_fn in chain:
        step = step_fn(text)
        if len(step.index) != len(step.text) or (
            step.kept is not None and sum(end - start for start, end in step.kept) != len(step.text)
        ):
            raise AssertionError(f"cleaning step {step_fn.__name__} returned a broken offset map")
        # Carry earlier unreliable spans through this step's deletions.
        unreliable = _remap(unreliable, step.index)
        if isinstance(step.index, range) and len(step.index) == len(index):
            pass  # this step kept every character: the map is unchanged
        elif isinstance(index, range):
            index = array("i", step.index)  # composed with the identity: the step's own map
        elif step.kept is not None:
            composed: array[int] = array("i")
            for start, end in step.kept:
                composed.extend(index[start:end])
            index = composed
        else:
            index = array("i", map(index.__getitem__, step.index))
        unreliable.extend(step.unreliable)
        text = step.text
    final = index if isinstance(index, array) else array("i", index)
    return Cleaned(raw=raw, text=text, index=final, unreliable=tuple(unreliable))


def dropped_lines(raw: str) -> list[tuple[str, str]]:
    """Every line cleaning drops whole, in text order, with the reason: a boilerplate rule, or
    page furniture outside the article body (``llm-extract clean --show-dropped``)."""
    text = to_simplified(strip_pinyin(raw).text).text
    step = drop_boilerplate(text)
    dropped: list[tuple[int, str, str]] = []
    kept = step.kept or ()
    pos = 0
    for line in text.splitlines(keepends=True):
        inside = any(start <= pos < end for start, end in kept)
        if not inside and line.strip():
            dropped.append((pos, line.strip(), "boilerplate line (navigation, footer, link list, caption)"))
        pos += len(line)
    body = find_body(step.text)
    for block in body.dropped():
        line = step.text[block.start : block.end].strip()
        if line:
            dropped.append((step.index[block.start], line, block.why))
    return [(line, why) for _, line, why in sorted(dropped)]


def _remap(spans: list[tuple[int, int]], step_index: Sequence[int]) -> list[tuple[int, int]]:
    """Translate input-side spans of a step to its output side (kept chars only)."""
    if not spans:
        return []
    import bisect

    out = []
    for start, end in spans:
        lo = bisect.bisect_left(step_index, start)
        hi = bisect.bisect_left(step_index, end)
        out.append((lo, max(hi, lo)))
    return out
