"""The perfect-model harness: a scripted loopback endpoint answering each chunk with the gold facts
whose quote lies in it, region and period as gold writes them (``scripted_server``, scenario
``gold``). What the pipeline then refuses or damages is its own loss. Nothing here is a model.

With ``noise`` the answers carry the errors a real model makes, chosen deterministically from each
quote: some facts are left out, and some levels are given a growth rate that belongs to another
figure of the same chunk. Those mis-bound records must all be refused; the pipeline's own loss is
measured on the facts left untouched.

Shared by ``scripts/bench_perfect.py`` (every gold set) and ``tests/test_perfect_model.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from scripted_server import ScriptedServer

from llm_extract.backends.llm import LLMBackend
from llm_extract.evaluation import evaluate
from llm_extract.pipeline import run_backend
from llm_extract.settings import Settings
from llm_extract.text.cleaning import clean, to_simplified
from llm_extract.text.loading import iter_articles

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "seeds": (ROOT / "eval" / "seeds.gold.jsonl", ROOT / "seeds"),
    "dev": (ROOT / "eval" / "dev" / "gold.jsonl", ROOT / "eval" / "dev" / "articles"),
    "dev2": (ROOT / "eval" / "dev2" / "gold.jsonl", ROOT / "eval" / "dev2" / "articles"),
}
DROP, MISBIND = 0, 1  # noise: a quote whose hash is 0 (mod 10) is dropped, 1 (mod 10) mis-bound


def _bucket(fact: dict[str, Any]) -> int:
    key = f"{fact['doc']}|{fact['quote']}|{fact['indicator']}".encode()
    return int(hashlib.sha256(key).hexdigest(), 16) % 10


def _noisy(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunk's facts as a real model gets them wrong: some left out, some growth rates moved."""
    rates = [f["growth_pct"] for f in facts if f["growth_pct"] is not None]
    out = []
    for fact in facts:
        bucket = _bucket(fact)
        if bucket == DROP:
            continue
        if bucket == MISBIND and fact["value"] is not None:
            other = next((r for r in rates if r != fact["growth_pct"]), None)
            if other is not None:
                fact = fact | {"growth_pct": other, "misbound": True}
        out.append(fact)
    return out


def run_set(name: str, *, noise: bool = False) -> dict[str, Any]:
    """One gold set through the LLM path against the scripted perfect model; the loss, by reason."""
    gold_path, articles_dir = SETS[name]
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # A perfect model quotes the text it is given: the cleaned, Simplified text (gold quotes of
    # Traditional pages are written as the page has them).
    gold = [fact | {"quote": to_simplified(fact["quote"]).text} for fact in gold]
    articles = [a for a in iter_articles([str(articles_dir)]) if not isinstance(a, Exception)]
    cleaned = {a.doc_id: clean(a.text).text for a in articles}
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for fact in gold:
        by_doc.setdefault(fact["doc"], []).append(fact)
    misbound: list[dict[str, Any]] = []

    def facts_for(chunk: str) -> list[dict[str, Any]]:
        docs = [doc for doc, text in cleaned.items() if chunk and chunk in text]
        facts = [f for doc in docs for f in by_doc.get(doc, []) if f["quote"] in chunk]
        if not noise:
            return facts
        answered = _noisy(facts)
        misbound.extend(f for f in answered if f.get("misbound"))
        return answered

    records: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    errors = 0
    offered = sum(1 for doc, facts in by_doc.items() for f in facts if f["quote"] in cleaned.get(doc, ""))
    with ScriptedServer(gold=facts_for) as server:
        settings = Settings(base_url=server.url, api_key="sk-bench", model="scripted-gold", mode="json",
                            max_retries=2 if not noise else 0, transport_retries=0)  # fmt: skip
        backend = LLMBackend(settings)
        try:
            for article in articles:
                result = run_backend(article, backend)
                records.extend(result.records)
                errors += len(result.errors)
                for row in result.rejected:
                    for reason in row.get("reasons", []):
                        reasons[reason.split("；")[0][:60]] += 1
        finally:
            backend.close()
    touched = {(f["doc"], f["quote"], f["indicator"]) for f in gold if noise and _bucket(f) in (DROP, MISBIND)}
    untouched = [f for f in gold if (f["doc"], f["quote"], f["indicator"]) not in touched]
    score = evaluate(untouched, records)
    wrong_kept = sum(
        1
        for f in misbound
        for r in records
        if r["doc_id"] == f["doc"] and r["growth_pct"] == f["growth_pct"] and r["value"] == f["value"]
    )
    lost = score.gold - score.matched
    return {
        "set": name,
        "noise": noise,
        "gold": len(gold),
        "scored": score.gold,
        "matched": score.matched,
        "lost": lost,
        "quote_not_in_cleaned_text": len(gold) - offered,
        "chunk_errors": errors,
        "loss": round(lost / score.gold, 4) if score.gold else 0.0,
        "misbound_answered": len(misbound),
        "misbound_verified": wrong_kept,
        "region_right": round(score.region_right, 4),
        "period_right": round(score.period_right, 4),
        "record_f1": round(score.record_f1, 4),
        "refused_by_reason": dict(reasons.most_common(12)),
    }
