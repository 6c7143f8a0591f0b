"""llm-extract: typed, verified records of economic figures from Chinese regional news.

Every number in a record is proven to stand in the source text: see :func:`verify`.

    >>> from llm_extract import extract
    >>> result = extract("今年一季度,大连甘井子区完成固定资产投资68.6亿元,同比增长11.0%。", backend="rules")
    >>> [(r["indicator"], r["value"], r["unit"], r["growth_pct"]) for r in result.records]
    [('固定资产投资', 68.6, '亿元', 11.0)]
"""

from llm_extract.backends.records import EconomicIndicator, Grounded
from llm_extract.errors import (
    BinaryInputError,
    CallError,
    ConfigError,
    DecodeError,
    EmptyInputError,
    InputError,
    LLMExtractError,
    MalformedLineError,
    TemplateError,
)
from llm_extract.evaluation import Score, evaluate
from llm_extract.figures.check import check_rows
from llm_extract.figures.numbers import find_mentions, parse_unit
from llm_extract.figures.verify import Source, verify
from llm_extract.pipeline import Extraction, aextract, extract, extract_many
from llm_extract.run.output import read_records
from llm_extract.run.tidy import tidy, tidy_frame, value_base
from llm_extract.settings import Settings
from llm_extract.text.cleaning import clean
from llm_extract.text.context import ArticleContext, read_context
from llm_extract.text.loading import iter_articles, read_file
from llm_extract.types import (
    Article,
    Claim,
    Cleaned,
    Kind,
    Mention,
    NumberCheck,
    Verdict,
    Verification,
)

__all__ = [
    "Article",
    "ArticleContext",
    "BinaryInputError",
    "CallError",
    "Claim",
    "Cleaned",
    "ConfigError",
    "DecodeError",
    "EconomicIndicator",
    "EmptyInputError",
    "Extraction",
    "Grounded",
    "InputError",
    "Kind",
    "LLMExtractError",
    "MalformedLineError",
    "Mention",
    "NumberCheck",
    "Score",
    "Settings",
    "Source",
    "TemplateError",
    "Verdict",
    "Verification",
    "aextract",
    "check_rows",
    "clean",
    "evaluate",
    "extract",
    "extract_many",
    "find_mentions",
    "iter_articles",
    "parse_unit",
    "read_context",
    "read_file",
    "read_records",
    "tidy",
    "tidy_frame",
    "value_base",
    "verify",
]
