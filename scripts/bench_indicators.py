"""Canonical indicators measured on the gold files against the hand-made answer key.

    python scripts/bench_indicators.py

Two numbers per set (seeds, dev, dev2): the share of gold facts whose own indicator string the code
maps to the key's canonical name (or to none where the key has none), and — end to end — the share
of gold facts matched by a rules-backend record whose ``indicator_canonical`` is the key's canonical
name for the gold indicator. The key is ``tests/indicator_key.tsv``, made by hand from
``llm_extract/data/indicators.tsv``.
"""

from __future__ import annotations

import json
from pathlib import Path

from llm_extract.attributes.indicators import canonical_indicator
from llm_extract.evaluation import evaluate
from llm_extract.pipeline import extract_many

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "seeds": (ROOT / "seeds", ROOT / "eval" / "seeds.gold.jsonl"),
    "dev": (ROOT / "eval" / "dev" / "articles", ROOT / "eval" / "dev" / "gold.jsonl"),
    "dev2": (ROOT / "eval" / "dev2" / "articles", ROOT / "eval" / "dev2" / "gold.jsonl"),
}


def key() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for line in (ROOT / "tests" / "indicator_key.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, canonical = line.split("\t")
            out[name] = None if canonical == "-" else canonical
    return out


def main() -> None:
    answers = key()
    columns = ["set", "gold facts", "gold strings mapped as the key", "matched pairs", "pair canonical = key",
               "of them with a canonical"]  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|")
    for name, (articles, gold_path) in SETS.items():
        gold = [json.loads(x) for x in gold_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        own = sum(canonical_indicator(g["indicator"]) == answers[g["indicator"]] for g in gold)
        paths = sorted(p for p in articles.iterdir() if p.is_file())
        records = [r for e in extract_many([str(p) for p in paths], backend="rules") for r in getattr(e, "records", [])]
        score = evaluate(gold, records)
        pairs = [pair for d in score.docs for pair in d.pairs]
        right = sum(p.get("indicator_canonical") == answers[g["indicator"]] for g, p in pairs)
        with_canonical = [(g, p) for g, p in pairs if answers[g["indicator"]]]
        right_c = sum(p.get("indicator_canonical") == answers[g["indicator"]] for g, p in with_canonical)
        print(
            f"| {name} | {len(gold)} | {own / len(gold):.3f} | {len(pairs)} | {right / len(pairs):.3f} | "
            f"{right_c}/{len(with_canonical)} = {right_c / max(1, len(with_canonical)):.3f} |"
        )


if __name__ == "__main__":
    main()
