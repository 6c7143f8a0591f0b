"""Statistical tables flattened one cell per line, read back into rows.

Bulletins (统计公报) publish tables that pages and PDF renderers flatten to one cell per line: an
optional caption (``表1 主要工业产品产量``, ``单位：万吨``), a header row (``指标 / 单位 / 绝对数 /
比上年增长%``), then the rows, cell by cell (``粗钢 / 万吨 / 512.6 / 3.1``). :func:`find_rows` finds
such tables by their header — a run of short cells naming columns — and reads each row: its label
(the indicator), its unit (a unit column, else the caption's), its level and, under a growth
column, its growth rate. A row whose cells do not fit the header ends the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llm_extract.figures.numbers import parse_unit, to_ascii_digits

__all__ = ["CAPTION_UNIT", "GROWTH_HEADER", "TableRow", "cell_number", "find_rows"]

_LINE = re.compile(r"[^\n]*")
_NUMBER = re.compile(r"^[-+−－]?\d[\d,]*(?:\.\d+)?$")
CAPTION_UNIT = re.compile(r"单位\s*[:：]\s*(?P<u>[^\s，,;；)）]+)")
GROWTH_HEADER = re.compile(r"增长|增速|增幅|同比|比上年|±")
_UNIT_COLUMN = re.compile(r"^(?:计量)?单位$")
_LABEL_COLUMN = re.compile(r"指标|名称|项目|产品|类别|地区|行业")
_HEADER = re.compile(
    r"指标|名称|项目|单位|绝对数|数量|金额|总量|产量|增长|增速|增幅|同比|比上年|比重|占比|%|年末数|本年|全年"
)
_NOT_HEADER = re.compile(r"^表\s*\d|.*[:：]")  # a caption (表1 …, 单位：亿元), not a column
_MAX_CELL = 20


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a table: label, unit, level, growth, and the cleaned span of its cells."""

    label: str
    unit: str | None
    value: float | None
    growth_pct: float | None
    span: tuple[int, int]


def cell_number(cell: str) -> float | None:
    ascii_cell = to_ascii_digits(cell).replace("，", ",").replace("．", ".").replace("−", "-").replace("－", "-")
    if not _NUMBER.match(ascii_cell):
        return None
    return float(ascii_cell.replace(",", ""))


def find_rows(text: str) -> list[TableRow]:
    """Every row of every one-cell-per-line table in ``text`` (see the module docstring)."""
    lines = [(m.start(), m.end(), m.group().strip()) for m in _LINE.finditer(text) if m.group().strip()]
    rows: list[TableRow] = []
    i = 0
    while i < len(lines):
        header_end = i
        while header_end < len(lines) and _is_header_cell(lines[header_end][2]):
            header_end += 1
        width = header_end - i
        if width < 2 or (not GROWTH_HEADER.search(" ".join(c for _, _, c in lines[i:header_end])) and width < 3):
            i += 1
            continue
        header = [c for _, _, c in lines[i:header_end]]
        caption = _caption_unit(text, lines[i][0])
        read = _read_rows(lines, header_end, header, caption)
        rows.extend(read)
        i = header_end + len(read) * width if read else i + 1
    return rows


def _is_header_cell(cell: str) -> bool:
    if len(cell) > _MAX_CELL or cell_number(cell) is not None or _NOT_HEADER.match(cell):
        return False
    return bool(_HEADER.search(cell))


def _caption_unit(text: str, start: int) -> str | None:
    """The unit of a caption (``单位：亿元``) in the few lines above a header."""
    above = text[max(0, start - 120) : start]
    found = list(CAPTION_UNIT.finditer(above))
    return found[-1].group("u").strip("（()）") if found else None


def _read_rows(lines: list[tuple[int, int, str]], start: int, header: list[str], caption: str | None) -> list[TableRow]:
    width = len(header)
    unit_col = next((k for k, h in enumerate(header) if _UNIT_COLUMN.match(h)), None)
    growth_col = next((k for k, h in enumerate(header) if GROWTH_HEADER.search(h)), None)
    label_col = next((k for k, h in enumerate(header) if _LABEL_COLUMN.search(h)), 0)
    level_col = next(
        (k for k in range(width) if k not in (unit_col, growth_col, label_col)), None
    )  # the first column of figures that is not growth
    rows: list[TableRow] = []
    pos = start
    while pos + width <= len(lines):
        cells = [c for _, _, c in lines[pos : pos + width]]
        label = cells[label_col]
        if cell_number(label) is not None or len(label) > _MAX_CELL:
            break
        unit = caption
        if unit_col is not None:
            unit = cells[unit_col]
            if (parse_unit(unit) is None and len(unit) > 6) or cell_number(unit) is not None:
                break  # not a unit: the row does not fit the header
        value = cell_number(cells[level_col]) if level_col is not None else None
        growth = cell_number(cells[growth_col]) if growth_col is not None else None
        if value is None and growth is None:
            break
        rows.append(TableRow(label, unit, value, growth, (lines[pos][0], lines[pos + width - 1][1])))
        pos += width
    return rows
