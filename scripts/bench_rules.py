"""Offline cost per article on the rules backend: load + clean + chunk + extract + verify + write.

200 articles (the 35 seed and dev articles, cycled, each under its own ``doc_id``) run through
``run_batch`` into a JSONL file, in this process, after one warm-up article (start-up: imports,
OpenCC's dictionaries, compiled patterns, excluded). Prints ms per article (best of ``--repeat``;
on a shared machine the spread between runs is wide), the same for the 35 distinct articles with
every in-process cache emptied before each run (as for articles never seen before), and the
profile's top functions by own time.

    python scripts/bench_rules.py [--articles 200] [--repeat 5] [--top 12]
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

from llm_extract.backends.rules import RulesBackend
from llm_extract.run.batch import run_batch
from llm_extract.run.output import RunWriter

ROOT = Path(__file__).resolve().parent.parent


SOURCES = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "eval" / "dev" / "articles").glob("*.txt"))


def make_inputs(directory: Path, n: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = SOURCES[i % len(SOURCES)]
        (directory / f"r{i:04d}_{src.stem}.txt").write_bytes(src.read_bytes())
    return directory


def clear_caches() -> None:
    """Empty the bounded ``functools`` caches of llm_extract's modules (phrases, mentions, names).

    Unbounded ones hold start-up work (the OpenCC converter), excluded like the rest of start-up.
    """
    for name, module in list(sys.modules.items()):
        if name.startswith("llm_extract"):
            for obj in vars(module).values():
                if callable(getattr(obj, "cache_clear", None)) and obj.cache_info().maxsize is not None:
                    obj.cache_clear()


def once(inputs: Path, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with RunWriter(out) as writer:
        summary = run_batch([inputs], writer, RulesBackend())
    return time.perf_counter() - start, summary.records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=12, help="profile lines to print (0: no profile)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp) / "in", args.articles)
        warm = Path(tmp) / "warm"  # a made-up article, so that none of the measured ones is seen before
        warm.mkdir()
        (warm / "warm.txt").write_text(
            "2023年05月01日 来源:示例日报\n全市完成固定资产投资68.6亿元，同比增长11.0%。", "utf-8"
        )
        once(warm, Path(tmp) / "warm.jsonl")  # start-up cost, excluded
        # The 35 distinct articles with every in-process cache emptied first, so that each is
        # seen for the first time, as an article nobody has processed before.
        distinct = make_inputs(Path(tmp) / "distinct", len(SOURCES))
        firsts = []
        for i in range(args.repeat):
            clear_caches()
            firsts.append(once(distinct, Path(tmp) / f"distinct{i}.jsonl")[0])
        first = min(firsts)
        times = []
        for i in range(args.repeat):
            seconds, records = once(inputs, Path(tmp) / f"o{i}.jsonl")
            times.append(seconds)
        profile = cProfile.Profile()
        if args.top > 0:
            profile.enable()
            once(inputs, Path(tmp) / "profiled.jsonl")
            profile.disable()
    best = min(times)
    print(f"{args.articles} articles, {records} records: best {best * 1000 / args.articles:.1f} ms/article "
          f"(runs: {', '.join(f'{t * 1000 / args.articles:.1f}' for t in times)} ms/article)")  # fmt: skip
    print(f"{len(SOURCES)} distinct articles, caches emptied before each run: best {first * 1000 / len(SOURCES):.1f} "
          f"ms/article (runs: {', '.join(f'{t * 1000 / len(SOURCES):.1f}' for t in firsts)})")  # fmt: skip
    if args.top <= 0:
        return 0
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
