"""Offline cost per article on the rules backend: load + clean + chunk + extract + verify + write.

200 articles (the 35 seed and dev articles, cycled, each under its own ``doc_id``) run through
``run_batch`` into a JSONL file, in this process, after one warm-up article (start-up: imports,
OpenCC's dictionaries, compiled patterns, excluded). Prints ms per article (best of ``--repeat``)
and the profile's top functions by own time.

    python scripts/bench_rules.py [--articles 200] [--repeat 3] [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from llm_extract.batch import run_batch
from llm_extract.output import RunWriter
from llm_extract.rules import RulesBackend

ROOT = Path(__file__).resolve().parent.parent


def make_inputs(directory: Path, n: int) -> Path:
    sources = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "eval" / "dev" / "articles").glob("*.txt"))
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = sources[i % len(sources)]
        (directory / f"r{i:04d}_{src.stem}.txt").write_bytes(src.read_bytes())
    return directory


def once(inputs: Path, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with RunWriter(out) as writer:
        summary = run_batch([inputs], writer, RulesBackend())
    return time.perf_counter() - start, summary.records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp) / "in", args.articles)
        warm = make_inputs(Path(tmp) / "warm", 1)
        once(warm, Path(tmp) / "warm.jsonl")  # start-up cost, excluded
        times = []
        for i in range(args.repeat):
            seconds, records = once(inputs, Path(tmp) / f"o{i}.jsonl")
            times.append(seconds)
        profile = cProfile.Profile()
        profile.enable()
        once(inputs, Path(tmp) / "profiled.jsonl")
        profile.disable()
    best = min(times)
    print(f"{args.articles} articles, {records} records: best {best * 1000 / args.articles:.1f} ms/article "
          f"(runs: {', '.join(f'{t * 1000 / args.articles:.1f}' for t in times)} ms/article)")  # fmt: skip
    buf = io.StringIO()
    stats = pstats.Stats(profile, stream=buf).sort_stats("tottime")
    stats.print_stats(args.top)
    lines = [line for line in buf.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print("\nprofile (own time, under cProfile):")
    for line in lines[start : start + args.top + 1]:
        print("  " + line.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
