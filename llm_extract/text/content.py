"""Main content: which lines of a page are the article, and which are page furniture.

Pages flattened to text keep their furniture: navigation, link and headline lists, "hot" and
"related" lists, tickers, login boxes, comment counters. Such lines give no records, even when
they hold money figures. They are told apart from the article by the *shape* of blocks, not by
their words (the idea of jusText and of text-density extractors, for Chinese):

- a **prose** line reads as sentences: long enough, with clause and sentence punctuation;
- a **short** line without sentence punctuation is a link, a menu item or a heading;
- a **cell** line is a bare figure (``512.6``, ``3.1%``, ``万吨``): statistical tables are
  rendered one cell per line, and a run of them is content;
- a line of many ``|``-separated items, or a headline ending in a date, is a list item.

Each line gets a score (prose: its length; cells: a little; furniture: a penalty that grows with
its length) and the article body is the run of lines with the highest total (Kadane's maximum
sub-array), so headings and short lines *inside* the body stay while runs of furniture around
it go. The page title (first line) and the dateline are kept wherever they are: they give the
article its place and date. Short clean texts — every line prose — are kept whole.

:func:`keep_main_content` is the cleaning step; :func:`find_body` explains its choice
(``llm-extract clean --show-dropped``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["Block", "Body", "find_body", "line_kind"]

_SENTENCE_END = re.compile(r"[。！？；!?;]")
_CLAUSE = re.compile(r"[，、：,:]")
_SPACE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
# A table cell: a bare number (with sign, %, thousands separators) or a unit, or a short label
# followed by nothing else; a run of them is a statistical table.
_NUMBER_CELL = re.compile(r"^[-+−－]?(?:\d[\d,，.．]*|[０-９][０-９,，.．]*)[%％‰]?$")
_TABLE_CELL_CHARS = 20  # a table's label or header cell is short
_TABLE_REACH = 6
_BYLINE_CHARS = (
    5  # 蔡晓华, 记者 王明: a byline, not a headline  # lines from a number cell: a header row of up to six cells
)
_DATE_TAIL = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?\)?\s*$|\d{1,2}[-/]\d{1,2}\s*$")
_DATELINE = re.compile(
    r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|来源[:：]|发布时间|发布日期|原标题"
    r"|^\s*(?:date|time|published|title)\s*:",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*#{1,6}\s")
# A print edition's stamp under the body dates the article: 《 人民日报 》( 2024年04月17日 01 版)
_EDITION_STAMP = re.compile(
    r"\s*[(（]?\s*(?:《[^》\n]{1,16}》|来源[:：][^\n(（]{1,16})?\s*[(（]?\s*(?:19|20)\d\d年\d{1,2}月\d{1,2}日"
    r"\s*(?:第?\s*\d{1,3}\s*版)?\s*[)）]?\s*$"
)
_STAMP_REACH = 4  # lines after the body where such a stamp is read
_PIPES = re.compile(r"[|｜丨]")
# Headlines side by side on one line: CJK, a run of spaces, CJK — three times or more, no 。
_GAPS = re.compile(r"(?<=[\u4e00-\u9fff”」）)])[ \t\u3000\xa0]+(?=[\u4e00-\u9fff“「（(《【])")
_SENTENCE_END_LINE = re.compile(r"[。！？!?]")


@dataclass(frozen=True, slots=True)
class Block:
    """One line of the page: its offsets in the text, its kind and its score."""

    start: int
    end: int
    kind: str  # "prose", "short", "cell", "list", "blank"
    score: float
    kept: bool = True
    why: str = ""


@dataclass(frozen=True, slots=True)
class Body:
    """The blocks of a page with the body chosen: ``blocks[first..last]`` plus title and dateline."""

    blocks: tuple[Block, ...]
    first: int
    last: int

    def kept_ranges(self) -> list[tuple[int, int]]:
        return [(b.start, b.end) for b in self.blocks if b.kept]

    def dropped(self) -> list[Block]:
        return [b for b in self.blocks if not b.kept and b.kind != "blank"]


def line_kind(line: str) -> tuple[str, float]:
    """The kind of one line and its score (positive for article text, negative for furniture)."""
    body = _SPACE.sub("", line)
    n = len(body)
    if n == 0:
        return "blank", 0.0
    sentences = len(_SENTENCE_END.findall(body))
    clauses = len(_CLAUSE.findall(body))
    if _NUMBER_CELL.match(body):
        return "cell", 2.0
    if (
        len(_PIPES.findall(body)) >= 2
        or (_DATE_TAIL.search(body) and not sentences and n <= 80)
        or (not _SENTENCE_END_LINE.search(line) and len(_GAPS.findall(line)) >= 3)
    ):
        return "list", -max(6.0, n * 0.5)  # link lists: "|"-separated, dated titles, titles side by side
    if sentences and (n >= 20 or body[-1] in "。！？!?"):
        return "prose", float(n)
    if n >= 100 and clauses:
        return "prose", n * 0.5  # a long sentence the page broke off before its full stop
    # A headline reads like a clause but ends without a full stop: "不顾各方反对，某国宣布……".
    # A short line without sentence punctuation: a link, a menu item, a headline or a heading.
    return "short", -min(4.0 + n * 0.25, 15.0)


def _table_labels(text: str, blocks: list[Block]) -> None:
    """Short lines within a few lines of a number cell are a table's labels, units and headers
    (``指标 / 单位 / 绝对数 / 比上年增长%``, then one cell per line): cells too."""
    lines = [i for i, b in enumerate(blocks) if b.kind != "blank"]
    numeric = [k for k, i in enumerate(lines) if blocks[i].kind == "cell"]
    if not numeric:
        return
    for k, i in enumerate(lines):
        block = blocks[i]
        if block.kind != "short" or len(_SPACE.sub("", text[block.start : block.end])) > _TABLE_CELL_CHARS:
            continue
        n = bisect.bisect_left(numeric, k)
        below = numeric[n] - k if n < len(numeric) else None  # a row's cells come before its numbers
        above = k - numeric[n - 1] if n > 0 else None
        if (below is not None and below <= _TABLE_REACH) or above == 1:
            blocks[i] = Block(block.start, block.end, "cell", 1.0)


def find_body(text: str) -> Body:
    """The lines of ``text`` with the article body marked kept (see the module docstring)."""
    blocks: list[Block] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        kind, score = line_kind(line)
        blocks.append(Block(pos, pos + len(line), kind, score))
        pos += len(line)
    _table_labels(text, blocks)
    # Kadane over the non-blank lines: the run with the highest total score.
    best = cur = 0.0
    best_span = (0, -1)
    cur_start = 0
    for i, block in enumerate(blocks):
        if cur <= 0:
            cur, cur_start = 0.0, i
        cur += block.score
        if cur > best:
            best, best_span = cur, (cur_start, i)
    first, last = best_span
    if last < first:  # nothing reads as prose: keep everything, decide nothing
        return Body(tuple(blocks), 0, len(blocks) - 1)
    title = next((i for i, b in enumerate(blocks) if b.kind != "blank"), 0)
    header = _header_lines(text, blocks, title, first)
    out = []
    for i, block in enumerate(blocks):
        if first <= i <= last:
            out.append(block)
        elif i in header:
            out.append(Block(block.start, block.end, block.kind, block.score, True, header[i]))
        elif i > last and i - last <= _STAMP_REACH and _EDITION_STAMP.match(text, block.start, block.end):
            out.append(Block(block.start, block.end, block.kind, block.score, True, "print edition's date"))
        else:
            where = "before the article body" if i < first else "after the article body"
            out.append(Block(block.start, block.end, block.kind, block.score, False, f"{block.kind} line {where}"))
    # A blank line stays between kept lines: paragraph breaks are part of the text's structure.
    first_kept = next((i for i, b in enumerate(out) if b.kept), len(out))
    following = False
    for i in range(len(out) - 1, first_kept, -1):
        block = out[i]
        if block.kind != "blank":
            following = block.kept
        elif following and not block.kept:
            out[i] = Block(block.start, block.end, "blank", 0.0, True, "paragraph break")
    return Body(tuple(out), first, last)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _header_lines(text: str, blocks: list[Block], title: int, first: int) -> dict[int, str]:
    """Lines before the body that tell what and when the article is: the page title, the
    dateline, the headline (the line the page title repeats, a marked heading, or the line right
    above the dateline) — by index, with the reason."""
    keep = {title: "page title"}
    between = [i for i in range(title + 1, first) if blocks[i].kind != "blank"]
    if len(between) <= 4:  # a few lines between title and body: a header, not a run of furniture
        keep.update((i, "header") for i in between)
        return keep
    for i in between[-2:]:  # a heading or salutation right above the body
        if blocks[i].kind in ("short", "prose") and all(blocks[j].kind == "blank" for j in range(i + 1, first)):
            keep[i] = "heading above the body"
    title_grams = _bigrams(_SPACE.sub("", text[blocks[title].start : blocks[title].end]))
    for i in between:
        block = blocks[i]
        line = text[block.start : block.end]
        grams = _bigrams(_SPACE.sub("", line))
        if _DATELINE.search(line) and len(_SPACE.sub("", line)) <= 80:
            keep[i] = "dateline"
            above = next(
                (
                    j
                    for j in range(i - 1, title, -1)
                    if blocks[j].kind in ("short", "prose") and blocks[j].end - blocks[j].start > _BYLINE_CHARS
                ),
                None,
            )  # the headline, past an author's name
            if above is not None and i - above <= 4:
                keep.setdefault(above, "headline above the dateline")
        elif _HEADING.match(line) or (
            grams and title_grams and 2 * len(grams & title_grams) / (len(grams) + len(title_grams)) >= 0.5
        ):
            keep[i] = "headline"
    return keep


# --- economic or not ------------------------------------------------------------------------

# General vocabulary of economic reporting (production, trade, money, prices, jobs, public finance,
# housing, tourism): a sentence using it and stating a figure is an economic statement.
_ECONOMIC = re.compile(
    "经济|产业|行业|投资|企业|公司|增长|增速|同比|环比|产值|增加值|营收|收入|利润|营业|销售|销量|消费|零售|贸易|出口|进口"
    "|生产总值|GDP|税|财政|预算|补贴|金融|贷款|存款|资金|融资|基金|股|债|市场|价格|物价|成本|工资|薪酬|就业|失业"
    "|社保|公积金|住房|房地产|房价|土地|项目|工业|制造|农业|粮食|服务业|外资|外贸|招商|营商|商品|物流|旅游|游客|文旅"
    "|客流|人次|成交|交易|签约|指数|CPI|PPI|产量|产能|产品|用电|能源|电力|千瓦|吨|亩|亿元|万元|美元|利率|汇率|货币"
)
_SENTENCE = re.compile(r"[^。！？!?\n]+")
# A figure: a number that is not a date, an ordinal, a code (年, 月, 日, 第…, 号) or the weather
# (a temperature, rainfall, a wind force: 20-26℃, 50毫米, 5级).
_WEATHER_UNIT = r"(?:℃|°|摄氏度|毫米|厘米|级)"
_FIGURE = re.compile(
    rf"(?<![第\d.])\d[\d.,，]*(?![\d年月日时号点:：]|\s*{_WEATHER_UNIT}|\s*[-~～至到]\s*\d+\s*{_WEATHER_UNIT})"
    r"|[一二三四五六七八九十两]+(?:百|千|万|亿|成|倍)|翻番|翻一番"
)
_LIST_NUMBER = re.compile(r"^\s*[（(]?\d{1,2}[、.．)）]")  # 1、气温: a list's numbering
MIN_ECONOMIC_FIGURES = 3


def economic_figures(text: str, *, enough: int | None = None) -> int:
    """How many figures ``text`` states in sentences that use the vocabulary of economic reporting
    (counting stops once ``enough`` are found)."""
    return _counts(text, enough)[0]


def _counts(text: str, enough: int | None) -> tuple[int, int, int]:
    """Figures in economic sentences, economic sentences with figures, sentences with figures
    (one pass; it stops once ``enough`` figures in economic sentences are found)."""
    found = economic = with_figures = 0
    for m in _SENTENCE.finditer(text):
        figures = len(_FIGURE.findall(_LIST_NUMBER.sub("", m.group(), count=1)))
        if not figures:
            continue
        with_figures += 1
        if _ECONOMIC.search(m.group()):
            economic += 1
            found += figures
            if enough is not None and found >= enough:
                break
    return found, economic, with_figures


def not_economic(text: str) -> str | None:
    """Why the body ``text`` is not economic reporting (it then gives no records), or ``None``.

    Economic reporting states at least :data:`MIN_ECONOMIC_FIGURES` figures in economic terms;
    a text with fewer figures than that in all (one sentence, a short note) needs every one of
    them in economic terms, and at least one. A text that states only a few (under twice that)
    must also state them in at least one in five of its sentences with figures: a story with a
    family's debts among its ages, dates and counts is not economic reporting.
    """
    found, economic, with_figures = _counts(text, 2 * MIN_ECONOMIC_FIGURES)
    if found >= 2 * MIN_ECONOMIC_FIGURES:
        return None
    if found >= MIN_ECONOMIC_FIGURES and economic * _SHARE >= with_figures:
        return None
    needed = max(1, min(MIN_ECONOMIC_FIGURES, len(_FIGURE.findall(text))))
    if needed <= found < MIN_ECONOMIC_FIGURES:
        return None
    if found >= MIN_ECONOMIC_FIGURES:
        return (
            f"not economic reporting: {found} figure(s) stated in economic terms, in {economic} of "
            f"{with_figures} sentences with figures (1 in {_SHARE} needed); no records extracted "
            "(--all-pages extracts anyway)"
        )
    return (
        f"not economic reporting: {found} figure(s) stated in economic terms, {needed} needed; "
        "no records extracted (--all-pages extracts anyway)"
    )


_SHARE = 5
