"""From records to a table: values in base units, one row per place, period and indicator.

:func:`value_base` turns a figure as written into its base unit (68.6 亿元 -> 6.86e9 元, 3 万人次 ->
3e4 人次; a currency is kept, a unit the grammar does not know stays as written, its scale aside).
:func:`tidy` groups verified records by (region, period, indicator) and measure (a level in its
base unit, or a rate): one row per distinct reading, with the value in base units, the growth rate
and the ids of every record behind it. Two records giving different values for the same cell are
kept as separate rows flagged ``conflict`` — never averaged. The indicator of a cell is the
record's ``indicator_canonical`` (固投, 全区固定资产投资 and 完成固定资产投资额 are one column:
固定资产投资), or the indicator as written where the taxonomy has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from llm_extract.errors import ConfigError
from llm_extract.figures.numbers import parse_unit
from llm_extract.types import Kind

__all__ = ["TABLE_FIELDS", "indicator_of", "tidy", "tidy_frame", "value_base", "wide"]

TABLE_FIELDS = [
    "region", "region_code", "period", "period_start", "period_end", "indicator_canonical", "indicator", "value_base",
    "unit_base",
    "growth_pct", "records", "sources", "conflict",
]  # fmt: skip
_CURRENCY_WORDS = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元", "GBP": "英镑",
                   "KRW": "韩元", "AUD": "澳元", "TWD": "新台币"}  # fmt: skip


# Scales written before a unit the grammar does not know (万千伏安, 万立方公尺), and that unit's
# mainland name where it differs (Taiwan's 公尺 is the 米).
_SCALE_WORDS = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4}
_SYNONYMS = {"立方公尺": "立方米", "平方公尺": "平方米", "公尺": "米", "度": "千瓦时", "度电": "千瓦时"}
_SUBUNITS = {"美分": ("美元", 0.01), "分钱": ("元", 0.01), "角": ("元", 0.1)}


def value_base(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """``value`` in the base of ``unit`` and that base unit's name: 亿元 -> 元 × 1e8, 万吨 -> 吨 × 1e4,
    万 -> (no unit) × 1e4, 成 -> % × 10; % and 个百分点 stay; unknown units stay as written."""
    if value is None:
        return None, None
    parsed = parse_unit(unit)
    if parsed is None and unit:
        scale = next((w for w in _SCALE_WORDS if unit.startswith(w) and len(unit) > len(w)), None)
        rest = unit[len(scale) :] if scale else unit
        rest = _SYNONYMS.get(rest, rest)
        base = _exact(value, _SCALE_WORDS[scale]) if scale else value
        if rest in _SUBUNITS:  # 9美分 -> 0.09 美元
            word, factor = _SUBUNITS[rest]
            return _exact(base, factor), word
        return base, rest
    if parsed is None:
        return value, unit
    if parsed.kind is Kind.TENTHS:
        return _exact(value, 10.0), "%"
    if parsed.kind is Kind.MONEY:
        word = _CURRENCY_WORDS.get(parsed.currency or "CNY", parsed.word)
        return _exact(value, parsed.scale), word
    if parsed.kind is Kind.BARE:
        return _exact(value, parsed.scale), None
    return _exact(value, parsed.scale), _SYNONYMS.get(parsed.word, parsed.word)


def _exact(value: float, scale: float) -> float:
    """``value × scale`` without binary noise (68.6 × 1e8 is 6860000000.000001 in floats)."""
    return float(f"{value * scale:.12g}")


def _key(row: Mapping[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    parts: list[Any] = []
    for field in by:
        if field == "region":
            parts.append(row.get("region_code") or row.get("region"))
        elif field == "period":
            parts.append(
                (row.get("period_start"), row.get("period_end"), None if row.get("period_start") else row.get("period"))
            )
        else:
            parts.append(row.get(field))
    parts.append(indicator_of(row))
    return tuple(parts)


def indicator_of(row: Mapping[str, Any]) -> Any:
    """The indicator a record or table row is tabulated under: canonical where there is one."""
    return row.get("indicator_canonical") or row.get("indicator")


def tidy(
    records: Iterable[Mapping[str, Any]],
    *,
    by: Sequence[str] = ("region", "period"),
    indicators: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per (``by`` fields, indicator) cell and distinct value; see the module docstring."""
    cells: dict[tuple[Any, ...], dict[tuple[Any, ...], dict[str, Any]]] = {}
    for n, record in enumerate(records):
        if record.get("status", "verified") != "verified":
            continue
        if indicators and not {record.get("indicator"), record.get("indicator_canonical")} & set(indicators):
            continue
        base, unit = value_base(record.get("value"), record.get("unit"))
        reading = (base, unit, record.get("growth_pct"))
        cell = cells.setdefault((*_key(record, by), unit), {})  # one measure: a level in its unit, or a rate
        row = cell.get(reading)
        source = f"{record.get('doc_id')}:{record.get('span', [None, None])[0]}-{record.get('span', [None, None])[1]}"
        if row is None:
            cell[reading] = row = {
                "region": record.get("region"),
                "region_code": record.get("region_code"),
                "period": record.get("period"),
                "period_start": record.get("period_start"),
                "period_end": record.get("period_end"),
                "indicator_canonical": record.get("indicator_canonical"),
                "indicator": record.get("indicator"),
                "value_base": base,
                "unit_base": unit,
                "growth_pct": record.get("growth_pct"),
                "records": [],
                "sources": [],
                "conflict": False,
            }
        row["records"].append(n)
        if source not in row["sources"]:
            row["sources"].append(source)
    out: list[dict[str, Any]] = []
    for cell in cells.values():
        rows = list(cell.values())
        levels = {row["value_base"] for row in rows if row["value_base"] is not None}
        rates = {row["growth_pct"] for row in rows if row["growth_pct"] is not None}
        for row in rows:
            row["conflict"] = len(levels) > 1 or len(rates) > 1
        out.extend(rows)
    return out


def tidy_frame(
    records: Iterable[Mapping[str, Any]],
    *,
    by: Sequence[str] = ("region", "period"),
    indicators: Sequence[str] | None = None,
    pivot: bool = False,
) -> Any:
    """:func:`tidy` (or, with ``pivot``, :func:`wide`) as a pandas DataFrame (``pip install pandas``)."""
    try:
        import pandas
    except ImportError:
        raise ConfigError("tidy_frame() needs pandas: pip install pandas") from None
    rows = tidy(records, by=by, indicators=indicators)
    if pivot:
        return pandas.DataFrame(wide(rows))
    return pandas.DataFrame(rows, columns=TABLE_FIELDS)


def wide(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Indicators pivoted into columns (``value_base`` under the indicator's name, its unit in the
    header), one row per region and period; conflicting cells list every value, ``;``-separated."""
    table: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row.get("region_code") or row.get("region"), row.get("period_start"), row.get("period_end"),
               row.get("period"))  # fmt: skip
        line = table.setdefault(key, {"region": row.get("region"), "region_code": row.get("region_code"),
                                      "period": row.get("period"), "period_start": row.get("period_start"),
                                      "period_end": row.get("period_end")})  # fmt: skip
        cells = []
        if row.get("value_base") is not None:
            cells.append((f"{indicator_of(row)} ({row.get('unit_base') or '-'})", row["value_base"]))
        if row.get("growth_pct") is not None:
            cells.append((f"{indicator_of(row)} 增速(%)", row["growth_pct"]))
        for column, value in cells:
            if column in line and str(value) not in str(line[column]).split(";"):
                line[column] = f"{line[column]};{value}"
            else:
                line.setdefault(column, value)
    return list(table.values())
