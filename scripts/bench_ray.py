"""The Ray engine against one process: the rules backend on N articles (default 2,000).

The 35 seed and dev articles, cycled, each made distinct by a line of its own at the end (so no
in-process cache keyed by text helps either side), are written to a temporary folder. Then:

1. in-process: ``run_batch`` with the rules backend, after one warm-up article (imports and
   OpenCC's dictionaries excluded);
2. Ray, ``ray.init(num_cpus=N)`` timed on its own (cluster start-up), then ``run_dataset`` with
   ``--actors`` actors, timed twice: on 2 articles (the fixed cost of a run: actors started and
   their imports, the dataset built, results gathered) and on all of them. "net" is the full
   run less that fixed cost.

Per-task overhead is the full run's wall time less the in-process time divided by the actors,
per batch. Prints a Markdown table for ``docs/benchmarks.md``.

    python scripts/bench_ray.py [--articles 2000] [--cpus 2] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import tempfile
import time
from pathlib import Path

import ray

from llm_extract.backends.rules import RulesBackend
from llm_extract.run.batch import run_batch
from llm_extract.run.output import RunWriter
from llm_extract.run.ray import quiet_ray, run_dataset
from llm_extract.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rules import SOURCES  # the same 35 articles


def make_inputs(directory: Path, n: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = SOURCES[i % len(SOURCES)]
        text = src.read_bytes().decode("utf-8")
        (directory / f"r{i:05d}_{src.stem}.txt").write_text(f"{text}\n（本文编号：{i}）\n", encoding="utf-8")
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--actors", type=int)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    actors = args.actors or args.cpus
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp) / "in", args.articles)
        small = make_inputs(Path(tmp) / "small", 2)
        backend = RulesBackend()
        with RunWriter(Path(tmp) / "warm.jsonl") as writer:
            run_batch([str(small)], writer, backend)
        start = time.perf_counter()
        with RunWriter(Path(tmp) / "local.jsonl") as writer:
            local = run_batch([str(inputs)], writer, backend)
        local_s = time.perf_counter() - start

        start = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        quiet_ray()
        init_s = time.perf_counter() - start
        settings = Settings()

        def on_ray(folder: Path, name: str) -> tuple[float, int]:
            began = time.perf_counter()
            with RunWriter(Path(tmp) / f"{name}.jsonl") as writer:
                summary = run_dataset([str(folder)], writer, backend="rules", settings=settings, actors=actors,
                                      batch_size=args.batch_size)  # fmt: skip
            return time.perf_counter() - began, summary.records

        fixed_s, _ = on_ray(small, "ray-small")
        ray_s, ray_records = on_ray(inputs, "ray")
        ray.shutdown()
    assert ray_records == local.records, (ray_records, local.records)
    net = ray_s - fixed_s
    batches = math.ceil(args.articles / args.batch_size)
    overhead_ms = (ray_s - local_s / actors) / batches * 1000
    print(f"{args.articles} articles, rules backend, {args.cpus} CPUs, {actors} actors, batches of {args.batch_size}")
    print()
    print("| run | wall s | ms / article | speed-up vs one process |")
    print("|---|---|---|---|")
    print(f"| one process (`run_batch`) | {local_s:.2f} | {local_s / args.articles * 1000:.2f} | 1.00× |")
    print(f"| Ray, whole run | {ray_s:.2f} | {ray_s / args.articles * 1000:.2f} | {local_s / ray_s:.2f}× |")
    print(f"| Ray, net of the run's fixed cost ({fixed_s:.2f} s) | {net:.2f} | {net / args.articles * 1000:.2f} | "
          f"{local_s / net:.2f}× |")  # fmt: skip
    print()
    print(
        f"`ray.init` (cluster start-up, once per process): {init_s:.2f} s; fixed cost of a run (2 articles): "
        f"{fixed_s:.2f} s; per-batch overhead beyond the ideal split: {overhead_ms:.0f} ms "
        f"({overhead_ms / args.batch_size:.1f} ms per article); records {ray_records} = {local.records}."
    )


if __name__ == "__main__":
    main()
