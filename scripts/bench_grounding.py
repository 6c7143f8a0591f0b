"""Grounding checks side by side, on the perturbation set of ``bench_verify.py``.

Each gold fact gives a true claim (its gold quote and figures) and the wrong variants of
``bench_verify.variants``. A wrong claim comes in two forms:

* *attribute error*: the quote is the true one, the figure attached to it is wrong (what a model
  does when it quotes the right sentence and mis-copies or mis-binds the number);
* *misquote*: the wrong figure also stands in the quote (the true figure's text replaced by the
  wrong one, or 增长/下降 swapped), when the quote writes the true figure literally.

Methods: llm-extract's typed verifier (quote as evidence); a plain substring check of the
figures; LangExtract's alignment (``Resolver.align``: grounded when the quote gets a
``char_interval``, fuzzy alignment on, its defaults); instructor's ``CitationMixin`` (the quote
survives when its fuzzy regex, up to 5 edits, finds it). LangExtract and CitationMixin check the
quote only, so an attribute error is invisible to them by construction; the misquote column is
where they can catch anything. Needs ``pip install langextract`` for that column (else skipped).

    python scripts/bench_grounding.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_verify import SETS, fmt, substring_check, variants, written
from instructor.v2.dsl.citation import CitationMixin

from llm_extract.figures.verify import Source, verify
from llm_extract.text.cleaning import clean
from llm_extract.types import Claim

try:
    from langextract import data as lx_data
    from langextract import resolver as lx_resolver
except ImportError:  # optional: the column is skipped
    lx_data = lx_resolver = None


class Cited(CitationMixin):
    """An answer carrying one quote, checked the CitationMixin way."""


def citation_grounded(quote: str, text: str) -> bool:
    return bool(Cited.model_validate({"substring_quotes": [quote]}, context={"context": text}).substring_quotes)


def langextract_grounded(quote: str, text: str) -> bool | None:
    if lx_resolver is None:
        return None
    extraction = lx_data.Extraction(extraction_class="figure", extraction_text=quote)
    aligned = list(lx_resolver.Resolver().align([extraction], text, 0, 0))
    return bool(aligned) and aligned[0].char_interval is not None


def misquote(fact: dict, kind: str, wrong: Claim) -> str | None:
    """The gold quote with the wrong figure written in it, or None when it cannot be built literally."""
    quote, v, g, u = fact["quote"], fact["value"], fact["growth_pct"], fact["unit"] or ""
    if kind == "sign":
        swapped = quote.replace("增长", "\0").replace("下降", "增长").replace("\0", "下降")
        return swapped if swapped != quote else None
    if kind in {"digit_growth", "growth_0.1", "binding"} and g is not None and wrong.growth_pct is not None:
        old, new = fmt(abs(g)) + "%", fmt(abs(wrong.growth_pct)) + "%"
    elif v is not None and wrong.value is not None:
        old, new = fmt(v) + u, fmt(wrong.value) + (wrong.unit or "")
    else:
        return None
    return quote.replace(old, new, 1) if old in quote and old != new else None


def run(name: str) -> dict:
    gold_path, art_dir = SETS[name]
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for line in gold_path.open(encoding="utf-8"):
        fact = json.loads(line)
        by_doc[fact["doc"]].append(fact)
    accepted: Counter[str] = Counter()  # true claims grounded, per method
    caught: Counter[str] = Counter()  # wrong claims not grounded, per (form, method)
    n: Counter[str] = Counter()
    for doc, facts in by_doc.items():
        cleaned = clean((art_dir / f"{doc}.txt").read_text(encoding="utf-8"))
        source, text = Source.of(cleaned), cleaned.text
        rates = sorted({f["growth_pct"] for f in facts if f["growth_pct"] is not None})
        for fact in facts:
            claim = Claim(fact["indicator"], fact["value"], fact["unit"], fact["growth_pct"], fact["quote"])
            n["true"] += 1
            accepted["llm-extract"] += verify(claim, source).verified
            accepted["substring"] += substring_check(claim, text)
            accepted["CitationMixin"] += citation_grounded(fact["quote"], text)
            lx = langextract_grounded(fact["quote"], text)
            accepted["LangExtract"] += bool(lx)
            for kind, wrong, figure in variants(fact, claim, rates):
                scope = fact["quote"] if kind == "binding" else text
                number = figure.rstrip("%个百分点亿万元美")
                if written(figure, scope) or (kind.startswith(("digit", "growth")) and written(number, fact["quote"])):
                    continue  # as in bench_verify: the wrong figure is written there after all
                n["attribute"] += 1
                caught[("attribute", "llm-extract")] += not verify(wrong, source).verified
                caught[("attribute", "substring")] += not substring_check(wrong, scope)
                caught[("attribute", "CitationMixin")] += not citation_grounded(fact["quote"], text)
                caught[("attribute", "LangExtract")] += not langextract_grounded(fact["quote"], text)
                quote = misquote(fact, kind, wrong)
                if quote is None:
                    continue
                n["misquote"] += 1
                caught[("misquote", "llm-extract")] += not verify(replace(wrong, evidence=quote), source).verified
                caught[("misquote", "substring")] += not substring_check(wrong, scope)
                caught[("misquote", "CitationMixin")] += not citation_grounded(quote, text)
                caught[("misquote", "LangExtract")] += not langextract_grounded(quote, text)
    methods = ["llm-extract", "substring", "LangExtract", "CitationMixin"]
    out: dict = {"set": name, "true_claims": n["true"], "attribute_errors": n["attribute"], "misquotes": n["misquote"]}
    for m in methods:
        if m == "LangExtract" and lx_resolver is None:
            out[m] = None
            continue
        out[m] = {
            "false_reject": round(1 - accepted[m] / n["true"], 4),
            "caught_attribute": round(caught[("attribute", m)] / max(1, n["attribute"]), 4),
            "caught_misquote": round(caught[("misquote", m)] / max(1, n["misquote"]), 4),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reports = [run(name) for name in SETS]
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
        return 0
    print("| set | method | false-reject (true claims) | caught: attribute errors | caught: misquotes |")
    print("|---|---|---|---|---|")
    for r in reports:
        for m in ("llm-extract", "substring", "LangExtract", "CitationMixin"):
            row = r[m]
            if row is None:
                print(f"| {r['set']} | {m} | not installed | | |")
                continue
            head = f"| {r['set']} ({r['true_claims']} / {r['attribute_errors']} / {r['misquotes']}) | {m} | "
            print(f"{head}{row['false_reject']:.2%} | {row['caught_attribute']:.2%} | {row['caught_misquote']:.2%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
