"""Perturbation benchmark for the typed verifier.

For every gold fact (seeds, dev and dev2 gold under ``eval/``) it builds the true
claim, with the gold quote as evidence, and wrong variants: one digit changed, 亿<->万, 元->美元,
growth sign flipped, growth +-0.1, %<->个百分点, and binding errors (the true figure given a growth
rate the article states for another figure, with the true figure's own evidence). A wrong
variant counts only when its figure is written nowhere in the article (binding errors: nowhere
in the evidence). It prints the share of true claims verified (false-reject rate) and of wrong
claims caught, per variant type, with and without evidence, and for a plain substring check.

    python scripts/bench_verify.py [--json] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from llm_extract.figures.numbers import to_ascii_digits
from llm_extract.figures.verify import Source, verify
from llm_extract.text.cleaning import clean, to_simplified
from llm_extract.types import Claim

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "seeds": (ROOT / "eval" / "seeds.gold.jsonl", ROOT / "seeds"),
    "dev": (ROOT / "eval" / "dev" / "gold.jsonl", ROOT / "eval" / "dev" / "articles"),
    "dev2": (ROOT / "eval" / "dev2" / "gold.jsonl", ROOT / "eval" / "dev2" / "articles"),
}


def fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else repr(x)


def bump_digit(x: float) -> float:
    text = fmt(abs(x))
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = digits[-1]
    new = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
    value = float(new)
    if value == abs(x):
        value = abs(x) + 1
    return -value if x < 0 else value


def variants(fact: dict, claim: Claim, rates: list[float]) -> Iterator[tuple[str, Claim, str]]:
    """(type, wrong claim, the figure as it would be written) for one gold fact."""
    v, u, g = claim.value, claim.unit or "", claim.growth_pct
    if v is not None:
        yield "digit", replace(claim, value=bump_digit(v)), fmt(bump_digit(v)) + u
        if "亿" in u:
            yield "scale", replace(claim, unit=u.replace("亿", "万")), fmt(v) + u.replace("亿", "万")
        elif "万" in u:
            yield "scale", replace(claim, unit=u.replace("万", "亿")), fmt(v) + u.replace("万", "亿")
        if u.endswith("元") and "美元" not in u:
            yield "currency", replace(claim, unit=u[:-1] + "美元"), fmt(v) + u[:-1] + "美元"
        if u == "%":
            yield "pct_points", replace(claim, unit="个百分点"), fmt(v) + "个百分点"
        elif u == "个百分点":
            yield "pct_points", replace(claim, unit="%"), fmt(v) + "%"
    if g is not None:
        yield "digit_growth", replace(claim, growth_pct=bump_digit(g)), fmt(abs(bump_digit(g))) + "%"
        if g != 0:
            yield "sign", replace(claim, growth_pct=-g), ("下降" if g > 0 else "增长") + fmt(abs(g)) + "%"
        for delta in (0.1, -0.1):
            new = round(g + delta, 6)
            yield "growth_0.1", replace(claim, growth_pct=new), fmt(abs(new)) + "%"
    for rate in rates:
        if v is not None and rate != g:
            yield "binding", replace(claim, growth_pct=rate), fmt(abs(rate)) + "%"


def written(figure: str, text: str) -> bool:
    return to_ascii_digits(figure) in to_ascii_digits(text)


def substring_check(claim: Claim, text: str) -> bool:
    """The naive baseline: every number's digits stand somewhere in the text."""
    numbers = [n for n in (claim.value, claim.growth_pct) if n is not None]
    return all(fmt(abs(n)) in to_ascii_digits(text) for n in numbers)


def run(name: str, show: bool) -> dict:
    gold_path, art_dir = SETS[name]
    facts = [json.loads(line) for line in gold_path.open(encoding="utf-8")]
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for fact in facts:
        by_doc[fact["doc"]].append(fact)
    true_ok: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[str] = []
    for doc, doc_facts in by_doc.items():
        cleaned = clean((art_dir / f"{doc}.txt").read_text(encoding="utf-8"))
        source = Source.of(cleaned)
        text = cleaned.text
        rates = sorted({f["growth_pct"] for f in doc_facts if f["growth_pct"] is not None})
        for fact in doc_facts:
            quote = to_simplified(fact["quote"]).text  # a Traditional page's gold quote, as the cleaned text has it
            claim = Claim(fact["indicator"], fact["value"], fact["unit"], fact["growth_pct"], quote)
            bare = replace(claim, evidence=None)
            total["true"] += 1
            true_ok["with_evidence"] += verify(claim, source).verified
            true_ok["without_evidence"] += verify(bare, source).verified
            true_ok["substring"] += substring_check(claim, text)
            for kind, wrong, figure in variants(fact, claim, rates):
                scope = quote if kind == "binding" else text
                number = figure.rstrip("%个百分点亿万元美")
                if written(figure, scope) or (kind.startswith(("digit", "growth")) and written(number, quote)):
                    continue  # the wrong figure is written there after all (a list: "0.5和0.4个百分点")
                total[kind] += 1
                with_ev = not verify(wrong, source).verified
                caught[(kind, "with_evidence")] += with_ev
                if kind != "binding":
                    caught[(kind, "without_evidence")] += not verify(replace(wrong, evidence=None), source).verified
                caught[(kind, "substring")] += not substring_check(wrong, quote if kind == "binding" else text)
                if show and not with_ev:
                    misses.append(f"{doc} {kind}: {wrong}")
    kinds = [k for k in total if k != "true"]
    wrong_total = sum(total[k] for k in kinds)
    report = {
        "set": name,
        "true_claims": total["true"],
        "false_reject_rate": {m: round(1 - true_ok[m] / total["true"], 4) for m in true_ok},
        "wrong_claims": wrong_total,
        "catch_rate": {
            m: round(sum(caught[(k, m)] for k in kinds) / wrong_total, 4) for m in ("with_evidence", "substring")
        },
        "catch_rate_without_evidence": round(
            sum(caught[(k, "without_evidence")] for k in kinds if k != "binding")
            / max(1, sum(total[k] for k in kinds if k != "binding")),
            4,
        ),
        "by_variant": {k: {"n": total[k], "caught": caught[(k, "with_evidence")]} for k in sorted(kinds)},
    }
    if show:
        report["misses"] = misses
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--show-misses", action="store_true", help="list wrong claims that verified")
    args = parser.parse_args()
    reports = [run(name, args.show_misses) for name in SETS]
    if args.json:
        json.dump(reports, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(
        "| set | true claims | false-reject (evidence / none / substring) "
        "| wrong claims | caught (evidence / none / substring) |"
    )
    print("|---|---|---|---|---|")
    for r in reports:
        fr = r["false_reject_rate"]
        cr = r["catch_rate"]
        print(
            f"| {r['set']} | {r['true_claims']} | {fr['with_evidence']:.2%} / {fr['without_evidence']:.2%} / "
            f"{fr['substring']:.2%} | {r['wrong_claims']} | {cr['with_evidence']:.2%} / "
            f"{r['catch_rate_without_evidence']:.2%} / {cr['substring']:.2%} |"
        )
    print()
    for r in reports:
        print(r["set"], ", ".join(f"{k} {v['caught']}/{v['n']}" for k, v in r["by_variant"].items()))
        for miss in r.get("misses", []):
            print("  MISS", miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
