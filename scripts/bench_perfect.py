"""The pipeline's own loss: a perfect model's answers through the LLM path, scored against gold.

A scripted loopback endpoint (``tests/scripted_server.py``, scenario ``gold``) answers each chunk
with exactly the gold facts whose quote lies in it, region and period as gold writes them. What
the pipeline refuses or damages is then its own fault: the report gives, per gold set, how many
facts came through, how many were refused (by reason), and region / period right on the matched
records. Nothing here is a model.

    python scripts/bench_perfect.py [--sets seeds dev dev2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from scripted_server import ScriptedServer  # noqa: E402

from llm_extract.cleaning import clean, to_simplified  # noqa: E402
from llm_extract.evaluation import evaluate  # noqa: E402
from llm_extract.llm import LLMBackend  # noqa: E402
from llm_extract.loading import iter_articles  # noqa: E402
from llm_extract.pipeline import run_backend  # noqa: E402
from llm_extract.settings import Settings  # noqa: E402

SETS = {
    "seeds": (ROOT / "eval" / "seeds.gold.jsonl", ROOT / "seeds"),
    "dev": (ROOT / "eval" / "dev" / "gold.jsonl", ROOT / "eval" / "dev" / "articles"),
    "dev2": (ROOT / "eval" / "dev2" / "gold.jsonl", ROOT / "eval" / "dev2" / "articles"),
}


def run_set(name: str) -> dict[str, Any]:
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

    def facts_for(chunk: str) -> list[dict[str, Any]]:
        docs = [doc for doc, text in cleaned.items() if chunk and chunk in text]
        return [f for doc in docs for f in by_doc.get(doc, []) if f["quote"] in chunk]

    records: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    errors = 0
    offered = sum(1 for doc, facts in by_doc.items() for f in facts if f["quote"] in cleaned.get(doc, ""))
    with ScriptedServer(gold=facts_for) as server:
        settings = Settings(base_url=server.url, api_key="sk-bench", model="scripted-gold", mode="json",
                            max_retries=2, transport_retries=0)  # fmt: skip
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
    score = evaluate(gold, records)
    lost = score.gold - score.matched
    return {
        "set": name,
        "gold": score.gold,
        "matched": score.matched,
        "lost": lost,
        "quote_not_in_cleaned_text": score.gold - offered,
        "chunk_errors": errors,
        "loss": round(lost / score.gold, 4) if score.gold else 0.0,
        "region_right": round(score.region_right, 4),
        "period_right": round(score.period_right, 4),
        "record_f1": round(score.record_f1, 4),
        "refused_by_reason": dict(reasons.most_common(12)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = [run_set(name) for name in args.sets if SETS[name][0].exists()]
    for r in results:
        print(f"{r['set']:<6} gold {r['gold']:>4}  through {r['matched']:>4}  lost {r['lost']:>3} ({r['loss']:.2%})  "
              f"region right {r['region_right']:.3f}  period right {r['period_right']:.3f}  "
              f"(quotes not in the cleaned text {r['quote_not_in_cleaned_text']}, "
              f"chunk errors {r['chunk_errors']})")  # fmt: skip
        for reason, n in r["refused_by_reason"].items():
            print(f"        {n:>4}  {reason}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
