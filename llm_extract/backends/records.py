"""Record schemas: what a backend returns, and how a record becomes a :class:`Claim`.

:class:`EconomicIndicator` is the built-in record. Its field descriptions are written for the
model: instructor sends them as the schema. A user may pass their own pydantic model instead;
numeric fields annotated with :class:`Grounded` are verified by the same typed verifier:

    class Price(BaseModel):
        indicator: str
        value: Annotated[float | None, Grounded(unit_field="unit")] = None
        unit: str | None = None
        evidence: str

The model needs an ``indicator`` (or ``Grounded(indicator_field=...)``) and should have an
``evidence`` field: records without evidence are checked against the whole chunk.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field

from llm_extract.types import Claim

__all__ = [
    "EconomicIndicator",
    "Extracted",
    "Grounded",
    "claims_of",
    "grounded_fields",
    "schema_hash",
]


@dataclass(frozen=True, slots=True)
class Grounded:
    """Marks a numeric field as a figure that must be written in the source.

    ``role="level"`` checks value and unit (``unit_field`` names the unit's field);
    ``role="growth"`` checks a percentage change with its sign.
    """

    role: str = "level"
    unit_field: str | None = None


class EconomicIndicator(BaseModel):
    """一条经济指标记录：原文中一个数字及其所属指标。"""

    model_config = ConfigDict(extra="ignore")

    indicator: str = Field(
        description="指标名称，用简体中文的统计口径短语，如“固定资产投资”“规模以上工业增加值”“地区生产总值”。"
    )
    region: str | None = Field(default=None, description="该数字所属的地区，如“大连市甘井子区”；原文未说明则为 null。")
    period: str | None = Field(
        default=None, description="统计期，带年份，如“2022年一季度”“2023年1-7月”；“今年”按文章日期换成年份。"
    )
    value: Annotated[float | None, Grounded(role="level", unit_field="unit")] = Field(
        default=None,
        description="原文写出的数值本身，不换算单位（“68.6亿元”写 68.6）；只有增速没有总量时为 null。",
    )
    unit: str | None = Field(
        default=None,
        description="原文中紧跟数值的单位，照抄，如“亿元”“万美元”“家”“%”“个百分点”；value 为 null 时为 null。",
    )
    growth_pct: Annotated[float | None, Grounded(role="growth")] = Field(
        default=None,
        description="同比增速（百分数的数值），“下降3.5%”写 -3.5；原文没有写明增速则为 null，不要用别的数字代替。",
    )
    qualifier: str | None = Field(
        default=None, description="限定词：约、近、超、余、以上、预计、目标等；没有则为 null。"
    )
    evidence: str = Field(
        description="逐字摘抄原文中包含这些数字的一小段原句（不要改写、不要补字），必须能在原文中找到。"
    )


class Extracted(BaseModel):
    """A chunk's answer: every economic figure of the chunk as one record each."""

    records: list[EconomicIndicator] = Field(description="本段文字中的全部经济数字，每个数字一条；没有则为空列表 []。")


def grounded_fields(model: type[BaseModel]) -> dict[str, Grounded]:
    """The fields of ``model`` marked :class:`Grounded`, by name."""
    return dict(_grounded_fields(model))


@functools.lru_cache(maxsize=64)
def _grounded_fields(model: type[BaseModel]) -> tuple[tuple[str, Grounded], ...]:
    """Cached per model class: resolving type hints costs more than checking a record."""
    hints = get_type_hints(model, include_extras=True)
    out = {}
    for name, hint in hints.items():
        if get_origin(hint) is Annotated:
            for extra in get_args(hint)[1:]:
                if isinstance(extra, Grounded):
                    out[name] = extra
    return tuple(out.items())


def claims_of(record: BaseModel) -> Claim:
    """The claim a record makes: its grounded numbers, indicator and evidence."""
    data = record.model_dump()
    marks = grounded_fields(type(record))
    value = unit = growth = None
    for name, mark in marks.items():
        number = data.get(name)
        if mark.role == "growth":
            growth = number
        else:
            value = number
            unit = data.get(mark.unit_field) if mark.unit_field else None
    return Claim(
        indicator=str(data.get("indicator") or ""),
        value=value,
        unit=unit,
        growth_pct=growth,
        evidence=data.get("evidence"),
        region=data.get("region"),
        period=data.get("period"),
        record=data,
    )


def schema_hash(model: type[BaseModel]) -> str:
    """Short content hash of a model's JSON Schema (part of cache keys and outputs)."""
    text = json.dumps(model.model_json_schema(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class OutputRecord(BaseModel):
    """One verified record as written to JSONL / CSV / Parquet (``span``: raw offsets, end exclusive).

    ``indicator_canonical`` is the taxonomy's name for the statistic the indicator names
    (:mod:`llm_extract.attributes.indicators`; null when none fits). The place and time fields are filled by
    the same normalisation whichever backend proposed the record: ``region`` the place as resolved
    (a division's official name, a zone as written),
    ``region_code`` its 6-digit division code (null for zones, the nation and places abroad),
    ``period`` the period as resolved (its year put in front when the text left it out),
    ``period_start`` / ``period_end`` ``YYYY-MM`` (inclusive), ``period_kind`` one of year,
    half, quarter, month, cumulative, stock, span, target, current (目前: no months), same (上年同期
    where the article gives no months), other (a model's period the grammar cannot read, kept as
    written).
    """

    doc_id: str
    indicator: str
    indicator_canonical: str | None = None
    region: str | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    province: str | None = None
    city: str | None = None
    county: str | None = None
    period: str | None = None
    period_start: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    period_end: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    period_kind: (
        Literal["year", "half", "quarter", "month", "cumulative", "stock", "span", "target", "current", "same", "other"]
        | None
    ) = None
    value: float | None = None
    unit: str | None = None
    growth_pct: float | None = None
    qualifier: str | None = None
    evidence: str
    span: tuple[int, int]
    status: Literal["verified"] = "verified"
    checks: list[dict[str, Any]] = Field(default_factory=list)
    backend: str
    model: str | None = None
    prompt_hash: str | None = None


BUILTIN_MODELS: dict[str, type[BaseModel]] = {
    "economic_indicator": EconomicIndicator,
    "extracted": Extracted,
    "record": OutputRecord,
}


def schema_text(model: type[BaseModel]) -> str:
    """The JSON Schema of ``model`` as stored under ``schemas/`` (stable key order, Chinese kept)."""
    return json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def load_schema(name: str) -> dict[str, Any]:
    """A built-in schema as shipped in the package (``llm_extract.schemas``), e.g. ``economic_indicator``."""
    from importlib import resources

    text = resources.files("llm_extract.schemas").joinpath(f"{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def as_row(claim: Claim) -> dict[str, Any]:
    """The record fields of a claim, as written to outputs."""
    return {
        "indicator": claim.indicator,
        "region": claim.region,
        "period": claim.period,
        "value": claim.value,
        "unit": claim.unit,
        "growth_pct": claim.growth_pct,
    }
