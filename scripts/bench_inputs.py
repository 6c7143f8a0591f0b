"""Large inputs through the offline pipeline: a 10 MB article and a 100,000-line article.

Each runs as ``llm-extract run FILE -o OUT --backend rules`` in its own process; the table gives
wall time, records and that process's peak resident memory (``getrusage`` of the child). The
10 MB file repeats the dev articles; the 100,000 lines are one figure sentence each.

    python scripts/bench_inputs.py [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make(directory: Path) -> dict[str, Path]:
    dev = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval" / "dev" / "articles").glob("*.txt")))
    big = directory / "ten_mb.txt"
    data = (dev * (10_000_000 // len(dev.encode("utf-8")) + 1)).encode("utf-8")[:10_000_000]
    big.write_bytes(data.decode("utf-8", "ignore").encode("utf-8"))
    lines = directory / "lines_100k.txt"
    lines.write_text(
        "\n".join(f"第{i}行：全市完成投资{i % 997}.5亿元，同比增长{i % 13}.1%。" for i in range(100_000)),
        encoding="utf-8",
    )
    return {"10 MB article": big, "100,000-line article": lines}


def measure(path: Path, out: Path) -> dict:
    """Run the CLI on ``path`` from a fresh helper process, so the peak memory is this run's alone."""
    helper = subprocess.run([sys.executable, __file__, "--one", str(path), str(out)], capture_output=True, text=True)
    return json.loads(helper.stdout)


def one(path: Path, out: Path) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "llm_extract", "run", str(path), "-o", str(out), "--backend", "rules",
                           "-q", "--fresh"], capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    records = sum(1 for _ in out.open(encoding="utf-8")) if out.exists() else 0
    return {"bytes": path.stat().st_size, "exit": proc.returncode, "seconds": round(seconds, 1), "records": records,
            "peak_rss_mb": round(peak / 1024, 1), "message": proc.stderr.strip().splitlines()[-1:]}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one[0]), Path(args.one[1]))))
        return 0
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in make(Path(tmp)).items():
            rows[name] = measure(path, Path(tmp) / f"{path.stem}.jsonl")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print("| input | size | exit | wall s | records | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        size = f"{r['bytes'] / 1e6:.1f} MB"
        print(f"| {name} | {size} | {r['exit']} | {r['seconds']} | {r['records']} | {r['peak_rss_mb']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
