"""Tokens sent per article for the seeds: raw text vs cleaned text, in o200k_base tokens.

tiktoken downloads ``o200k_base`` at first use, which is not reachable here; the same ranks ship
in the npm package ``js-tiktoken`` (its ``ranks/o200k_base``), so this script counts with it
through Node.js:

    npm install --prefix build/js-tiktoken js-tiktoken@1.0.21
    python scripts/bench_tokens.py [--json]

Also printed: llm-extract's own estimate (``chunking.estimate_tokens``: one per CJK character,
one per four other characters), which budgets chunks and ``--tpm``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from llm_extract.text.chunking import estimate_tokens
from llm_extract.text.cleaning import clean

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "build" / "js-tiktoken"
COUNT = """
const { getEncoding } = require(process.argv[1] + "/node_modules/js-tiktoken");
const enc = getEncoding("o200k_base");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const texts = JSON.parse(input);
  process.stdout.write(JSON.stringify(texts.map((t) => enc.encode(t).length)));
});
"""


def o200k(texts: list[str]) -> list[int] | None:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "js-tiktoken").exists():
        return None
    proc = subprocess.run([node, "-e", COUNT, str(JS)], input=json.dumps(texts), capture_output=True, text=True,
                          check=True)  # fmt: skip
    return [int(n) for n in json.loads(proc.stdout)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    paths = sorted((ROOT / "seeds").glob("*.txt"))
    raws = [p.read_text(encoding="utf-8") for p in paths]
    cleaned = [clean(r).text for r in raws]
    counts = o200k(raws + cleaned)
    if counts is None:
        print("js-tiktoken not found: npm install --prefix build/js-tiktoken js-tiktoken@1.0.21", file=sys.stderr)
    rows = []
    for i, path in enumerate(paths):
        row = {"article": path.stem, "chars_raw": len(raws[i]), "chars_cleaned": len(cleaned[i]),
               "estimate_raw": estimate_tokens(raws[i]), "estimate_cleaned": estimate_tokens(cleaned[i])}  # fmt: skip
        if counts is not None:
            row["o200k_raw"], row["o200k_cleaned"] = counts[i], counts[len(paths) + i]
        rows.append(row)
    total = {k: sum(r[k] for r in rows) for k in rows[0] if k != "article"}
    if args.json:
        print(json.dumps({"articles": rows, "total": total}, indent=2))
        return 0
    print("| article | chars raw → cleaned | o200k tokens raw → cleaned | saved | estimate raw → cleaned |")
    print("|---|---|---|---|---|")
    for r in [*rows, {"article": "all five", **total}]:
        tok = f"{r['o200k_raw']} → {r['o200k_cleaned']}" if "o200k_raw" in r else "—"
        saved = f"{1 - r['o200k_cleaned'] / r['o200k_raw']:.1%}" if "o200k_raw" in r else "—"
        print(f"| {r['article']} | {r['chars_raw']} → {r['chars_cleaned']} | {tok} | {saved} | "
              f"{r['estimate_raw']} → {r['estimate_cleaned']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
