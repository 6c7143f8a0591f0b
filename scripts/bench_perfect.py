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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from perfect_model import SETS, run_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--noise", action="store_true", help="also run with a real model's errors (see tests/perfect_model.py)"
    )
    args = parser.parse_args()
    results = [run_set(name) for name in args.sets if SETS[name][0].exists()]
    if args.noise:
        results += [run_set(name, noise=True) for name in args.sets if SETS[name][0].exists()]
    for r in results:
        if r["noise"]:
            print(
                f"{r['set']:<6} with noise: {r['misbound_answered']} mis-bound growth rates answered, "
                f"{r['misbound_verified']} verified; untouched facts {r['scored']}, lost {r['lost']} ({r['loss']:.2%})"
            )
            continue
        print(f"{r['set']:<6} gold {r['gold']:>4}  through {r['matched']:>4}  lost {r['lost']:>3} ({r['loss']:.2%})  "
              f"region right {r['region_right']:.3f}  period right {r['period_right']:.3f}  "
              f"(quotes not in the cleaned text {r['quote_not_in_cleaned_text']}, "
              f"chunk errors {r['chunk_errors']})")  # fmt: skip
        for reason, n in r["refused_by_reason"].items():
            print(f"        {n:>4}  {reason}")
    total = [r for r in results if not r["noise"]]
    gold, lost = sum(r["scored"] for r in total), sum(r["lost"] for r in total)
    print(f"all    gold {gold:>4}  lost {lost} ({lost / gold:.2%})")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
