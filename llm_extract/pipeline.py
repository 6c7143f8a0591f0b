"""Orchestration: the one module that knows the order of the stages.

    load -> clean -> (context) -> backend.propose [chunk -> prompt -> call] -> verify -> rows

A backend turns one cleaned article into a :class:`~llm_extract.types.Proposal` of claims;
every claim, whatever backend made it, goes through :func:`llm_extract.figures.verify.verify`. Verified
claims become records, the others rejected rows with reasons: nothing is dropped. Every record's
place and time go through one :class:`~llm_extract.attributes.resolver.Resolver`, whichever backend made
it: a claim without them gets them from where its figure stands; a claimed region or period is
normalised, and one the article does not support rejects the record like a wrong number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from llm_extract.attributes.indicators import canonical_indicator
from llm_extract.attributes.resolver import resolver_for
from llm_extract.backends.records import EconomicIndicator, as_row
from llm_extract.backends.rules import RulesBackend
from llm_extract.errors import ConfigError, InputError, LLMExtractError
from llm_extract.figures.verify import Source, verify
from llm_extract.settings import Settings
from llm_extract.text.cleaning import clean
from llm_extract.text.content import not_economic
from llm_extract.text.context import ArticleContext, read_context
from llm_extract.text.loading import iter_articles
from llm_extract.types import Article, Claim, Cleaned, Usage, Verification

__all__ = [
    "Backend",
    "Extraction",
    "aextract",
    "arun_backend",
    "extract",
    "extract_many",
    "make_backend",
    "run_backend",
]


class Backend(Protocol):
    """Proposes claims for one cleaned article."""

    name: str

    def propose(self, doc_id: str, cleaned: Cleaned, context: ArticleContext) -> Any: ...


@dataclass
class Extraction:
    """One article's outcome. ``records`` are verified rows; ``rejected`` rows carry reasons."""

    doc_id: str
    records: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    context: ArticleContext | None = None
    chunks: list[dict[str, object]] = field(default_factory=list)
    # Why the article gave no records without being asked (a page that is not economic reporting).
    note: str | None = None
    # The verified records as instances of the schema they were extracted with.
    items: list[BaseModel] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Done: every chunk was answered (the answer may hold no records).

        An article with a failed chunk is failed as a whole, so that a rerun redoes it
        without duplicating the records of its other chunks.
        """
        return not self.errors

    def to_pandas(self) -> Any:
        """The verified records as a pandas DataFrame (``pip install pandas``)."""
        try:
            import pandas
        except ImportError:
            raise ConfigError("to_pandas() needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.records)

    def to_polars(self) -> Any:
        """The verified records as a polars DataFrame (``pip install polars``)."""
        try:
            import polars
        except ImportError:
            raise ConfigError("to_polars() needs polars: pip install polars") from None
        return polars.DataFrame(self.records)


def make_backend(
    backend: str | Backend = "auto", settings: Settings | None = None, schema: type[BaseModel] | None = None
) -> Backend:
    """``"rules"``, ``"openai"``, or ``"auto"`` (the LLM when an endpoint is configured); ``schema``
    is the record model the LLM fills (the rules fill the built-in :class:`EconomicIndicator` only)."""
    if not isinstance(backend, str):
        return backend
    settings = settings or Settings.from_env()
    if backend == "auto":
        backend = "openai" if settings.configured else "rules"
    if backend == "rules":
        if schema is not None and schema is not EconomicIndicator:
            raise ConfigError(
                f"the rules backend fills the built-in EconomicIndicator only, not {schema.__name__}: "
                "configure an endpoint (backend='openai') to extract into your own schema"
            )
        return RulesBackend()
    if backend == "openai":
        if not settings.configured:
            raise ConfigError(
                "no endpoint configured: set LLM_EXTRACT_BASE_URL (and LLM_EXTRACT_API_KEY) or use --backend rules"
            )
        from llm_extract.backends.llm import LLMBackend  # deferred: the SDKs load only when used

        return LLMBackend(settings, schema=schema or EconomicIndicator)
    raise ConfigError(f"unknown backend {backend!r}: use auto, rules or openai")


def _article(article: str | Article) -> Article:
    if isinstance(article, Article):
        return article
    if not isinstance(article, str):
        raise TypeError(f"extract() takes a str or an Article, not {type(article).__name__}")
    return Article(doc_id="text", text=article)


def extract(
    article: str | Article,
    *,
    backend: str | Backend = "auto",
    settings: Settings | None = None,
    all_pages: bool = False,
    schema: type[BaseModel] | None = None,
) -> Extraction:
    """Extract verified records from one article (a string or an :class:`Article`).

    ``schema``: your own pydantic record model (numbers marked ``Grounded`` are verified), filled
    by the LLM backend; ``Extraction.items`` holds the verified records as its instances.

    A page whose body is not economic reporting gives no records and says why in
    ``Extraction.note`` (``all_pages=True`` extracts from every page). Raises
    :class:`~llm_extract.errors.InputError` for empty text; endpoint failures end up in
    ``Extraction.errors``.
    """
    doc = _article(article)
    if not doc.text.strip():
        raise InputError(doc.source, "the text is empty")
    chosen = make_backend(backend, settings, schema)
    try:
        return run_backend(doc, chosen, all_pages=all_pages)
    finally:
        if chosen is not backend and hasattr(chosen, "close"):
            chosen.close()  # a backend made here for this one call


async def aextract(
    article: str | Article,
    *,
    backend: str | Backend = "auto",
    settings: Settings | None = None,
    all_pages: bool = False,
    schema: type[BaseModel] | None = None,
) -> Extraction:
    """:func:`extract` for asyncio code: the work runs off the event loop, so calls can overlap."""
    import asyncio

    chosen = make_backend(backend, settings, schema)
    return await asyncio.to_thread(extract, article, backend=chosen, all_pages=all_pages)


def _prepare(doc: Article) -> tuple[Cleaned, ArticleContext, Source]:
    cleaned = clean(doc.text)
    return cleaned, read_context(cleaned.text), Source.of(cleaned)


def _not_economic(doc: Article, cleaned: Cleaned, context: ArticleContext) -> Extraction | None:
    """The outcome of a page that is not economic reporting (no records, the reason), else ``None``."""
    note = not_economic(cleaned.text)
    return None if note is None else Extraction(doc_id=doc.doc_id, context=context, note=note)


def run_backend(doc: Article, backend: Backend, *, all_pages: bool = False) -> Extraction:
    """One article through ``backend`` and the verifier (blocking)."""
    cleaned, context, source = _prepare(doc)
    if not all_pages and (skipped := _not_economic(doc, cleaned, context)) is not None:
        return skipped
    try:
        proposal = backend.propose(doc.doc_id, cleaned, context)
    except LLMExtractError as exc:
        return Extraction(doc_id=doc.doc_id, context=context, errors=[str(exc)])
    return _checked(doc, context, source, proposal, _schema_of(backend))


async def arun_backend(doc: Article, backend: Backend, *, all_pages: bool = False) -> Extraction:
    """:func:`run_backend` for a backend with ``apropose_here``, on that backend's own loop."""
    cleaned, context, source = _prepare(doc)
    if not all_pages and (skipped := _not_economic(doc, cleaned, context)) is not None:
        return skipped
    try:
        proposal = await backend.apropose_here(doc.doc_id, cleaned, context)  # type: ignore[attr-defined]
    except LLMExtractError as exc:
        return Extraction(doc_id=doc.doc_id, context=context, errors=[str(exc)])
    return _checked(doc, context, source, proposal, _schema_of(backend))


def _schema_of(backend: Backend) -> type[BaseModel]:
    schema = getattr(backend, "schema", None)
    return schema if isinstance(schema, type) and issubclass(schema, BaseModel) else EconomicIndicator


def _checked(
    doc: Article, context: ArticleContext, source: Source, proposal: Any, schema: type[BaseModel] = EconomicIndicator
) -> Extraction:
    """:func:`_verify_proposal`, with a fault in it failing this article (with the reason), not the batch."""
    try:
        return _verify_proposal(doc, context, source, proposal, schema)
    except Exception as exc:  # a bug must not stop the rest of a run; the article is retried on resume
        reason = f"internal error while checking the records ({type(exc).__name__}: {exc}); please report it"
        return Extraction(doc_id=doc.doc_id, context=context, errors=[reason])


def _verify_proposal(
    doc: Article, context: ArticleContext, source: Source, proposal: Any, schema: type[BaseModel]
) -> Extraction:
    result = Extraction(doc_id=doc.doc_id, context=context)
    result.usage.add(proposal.usage)
    result.errors.extend(proposal.errors)
    result.chunks.extend(proposal.chunks)
    meta = dict(proposal.meta)
    seen: set[tuple[Any, ...]] = set()
    resolver = resolver_for(source.cleaned.text)
    for claim in proposal.claims:
        verification = verify(claim, source)
        if verification.verified:
            attributes, problems = resolver.of_claim(claim, source.cleaned, verification)
            if problems:
                result.rejected.append(_rejected_row(doc.doc_id, claim, problems, meta, verification))
                continue
            row = _verified_row(doc.doc_id, claim, verification, meta, attributes)
            key = (row["indicator"], row["value"], row["unit"], row["growth_pct"], tuple(row["span"]))
            if key in seen:
                continue  # the same figure from two overlapping chunks
            seen.add(key)
            result.records.append(row)
            result.items.append(_item(schema, claim, row))
        else:
            result.rejected.append(_rejected_row(doc.doc_id, claim, verification.reasons, meta, verification))
    for claim, reason in proposal.rejected:
        result.rejected.append(_rejected_row(doc.doc_id, claim, [reason], meta, None))
    return result


def extract_many(
    inputs: Iterable[str | Article],
    *,
    backend: str | Backend = "auto",
    settings: Settings | None = None,
    all_pages: bool = False,
    schema: type[BaseModel] | None = None,
) -> Iterator[Extraction | InputError]:
    """:func:`extract` over files, directories, globs and JSONL; bad inputs come out as errors."""
    chosen = make_backend(backend, settings, schema)
    for item in iter_articles(inputs):
        if isinstance(item, InputError):
            yield item
        else:
            yield run_backend(item, chosen, all_pages=all_pages)


def _item(schema: type[BaseModel], claim: Claim, row: dict[str, Any]) -> BaseModel:
    """A verified record as an instance of its schema: the built-in one with the normalised region
    and period and the evidence as it stands in the raw text; a user schema with its own fields."""
    if schema is EconomicIndicator or claim.record is None:
        fields = {name: row.get(name) for name in EconomicIndicator.model_fields}
        return EconomicIndicator.model_validate(fields)
    return schema.model_validate(claim.record)


def _with_canonical(row: dict[str, Any]) -> dict[str, Any]:
    """``indicator_canonical`` right after ``indicator``."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "indicator":
            out["indicator_canonical"] = canonical_indicator(value)
    return out


def _verified_row(
    doc_id: str, claim: Claim, v: Verification, meta: dict[str, object], attributes: dict[str, Any]
) -> dict[str, Any]:
    row = {"doc_id": doc_id, **as_row(claim)}
    row = _with_canonical(row)
    row.update(attributes)
    row["qualifier"] = claim.qualifier
    row["evidence"] = v.evidence
    row["span"] = list(v.span) if v.span else None
    row["status"] = "verified"
    row["checks"] = [c.as_dict() for c in v.checks]
    row.update(meta)
    return row


def _rejected_row(
    doc_id: str,
    claim: Claim,
    reasons: list[str],
    meta: dict[str, object],
    v: Verification | None,
) -> dict[str, Any]:
    row = _with_canonical({"doc_id": doc_id, **as_row(claim), "qualifier": claim.qualifier, "evidence": claim.evidence})
    row["status"] = "rejected"
    row["reasons"] = reasons
    row["checks"] = [c.as_dict() for c in v.checks] if v else []
    row.update(meta)
    return row
