"""Batch benchmark: N one-chunk articles against a local scripted endpoint with fixed latency.

Prints wall time at concurrency 1, 10 (LangExtract's default), 16 and 64 against the ideal ceil(chunks/N) x latency, the
requests made, cache hits on a rerun, the same workload as a plain sequential instructor loop
(what a hand-rolled script does), and, when ``langextract`` is installed, LangExtract's
``extract`` with its OpenAI provider pointed at the same endpoint and its default
``max_workers`` (10; ideal ceil(chunks/10) x latency). The endpoint is
``tests/scripted_server.py`` on 127.0.0.1 (a scripted server, not a model); for LangExtract it
answers in LangExtract's format (scenario ``langextract``).

    python scripts/bench_batch.py [--articles 200] [--latency 0.4] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import instructor  # noqa: E402
import openai  # noqa: E402

from llm_extract.backends.llm import LLMBackend  # noqa: E402
from llm_extract.backends.prompting import load_template  # noqa: E402
from llm_extract.backends.records import Extracted  # noqa: E402
from llm_extract.run.batch import run_batch  # noqa: E402
from llm_extract.run.cache import ChunkCache  # noqa: E402
from llm_extract.run.output import RunWriter  # noqa: E402
from llm_extract.settings import Settings  # noqa: E402

TEXT = (
    "全市完成固定资产投资{a}.5亿元，同比增长{b}.1%。规模以上工业增加值增长{b}.4%。"
    "社会消费品零售总额{a}.2亿元，下降{b}.3%。"
)


def make_inputs(directory: Path, n: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (directory / f"b{i:04d}.txt").write_text(TEXT.format(a=100 + i, b=1 + i % 9), encoding="utf-8")
    return directory


def llm_extract_run(inputs: Path, url: str, concurrency: int, out: Path, cache: ChunkCache | None) -> dict:
    settings = Settings(base_url=url, model="scripted-correct", mode="json", transport_retries=0)
    started = time.perf_counter()
    backend = LLMBackend(settings, concurrency=concurrency, cache=cache).start()  # client built, loop running
    start = time.perf_counter()
    with RunWriter(out) as writer:
        summary = run_batch([inputs], writer, backend, concurrency=concurrency)
    seconds = time.perf_counter() - start
    backend.close()
    return {"seconds": seconds, "start_up": start - started, "requests": summary.usage.requests,
            "cache_hits": summary.usage.cache_hits, "records": summary.records}  # fmt: skip


def instructor_loop(inputs: Path, url: str) -> dict:
    """A plain sequential loop: one instructor call per article, no chunking, no verification."""
    client = instructor.from_openai(openai.OpenAI(base_url=url, api_key="x", max_retries=0), mode=instructor.Mode.JSON)
    template = load_template()
    start = time.perf_counter()
    records = requests = 0
    for path in sorted(inputs.glob("*.txt")):
        result = client.chat.completions.create(
            model="scripted-correct", response_model=Extracted, messages=template.messages(),  # type: ignore[arg-type]
            context={"chunk": path.read_text(encoding="utf-8"), "title": None, "year": None, "region": None},
            max_retries=0,
        )  # fmt: skip
        requests += 1
        records += len(result.records)
    return {"seconds": time.perf_counter() - start, "requests": requests, "cache_hits": 0, "records": records}


def langextract_run(inputs: Path, url: str) -> dict | None:
    """LangExtract over the same articles, its OpenAI provider on the same endpoint, default workers."""
    try:
        import langextract as lx
    except ImportError:
        return None
    docs = [
        lx.data.Document(text=p.read_text(encoding="utf-8"), document_id=p.stem) for p in sorted(inputs.glob("*.txt"))
    ]
    example = lx.data.ExampleData(
        text="示例县上半年实现营业收入8.1亿元，出口额下降2.6%。",
        extractions=[lx.data.Extraction("figure", "实现营业收入8.1亿元",
                                        attributes={"indicator": "营业收入", "value": "8.1", "unit": "亿元"})],
    )  # fmt: skip
    config = lx.factory.ModelConfig(model_id="scripted-langextract", provider="OpenAILanguageModel",
                                    provider_kwargs={"base_url": url, "api_key": "not-needed"})  # fmt: skip
    before = _served(url)
    start = time.perf_counter()
    quiet = lx.prompt_validation.PromptValidationLevel.OFF
    results = lx.extract(docs, prompt_description="抽取文中每一个经济数字。", examples=[example], config=config,
                         show_progress=False, prompt_validation_level=quiet)  # fmt: skip
    seconds = time.perf_counter() - start
    records = sum(len(r.extractions or []) for r in results)
    return {"seconds": seconds, "requests": _served(url) - before, "cache_hits": 0, "records": records}


def _served(url: str) -> int:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats", timeout=10) as response:
        return int(json.loads(response.read())["requests"])


@contextlib.contextmanager
def _server(latency: float) -> Iterator[str]:
    """The scripted server in its own process, so its work does not share this one's GIL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "scripted_server.py"), "--port", str(port),
                             "--latency", str(latency)], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # "scripted server on ..."
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, _server(args.latency) as url:
        server = argparse.Namespace(url=url)
        inputs = make_inputs(Path(tmp) / "in", args.articles)
        for concurrency in (1, 10, 16, 64):
            got = llm_extract_run(inputs, server.url, concurrency, Path(tmp) / f"c{concurrency}.jsonl", None)
            rows.append({"run": f"llm-extract, concurrency {concurrency}", "concurrency": concurrency, **got})
        cache = ChunkCache(Path(tmp) / "cache")
        llm_extract_run(inputs, server.url, 16, Path(tmp) / "warm.jsonl", cache)
        got = llm_extract_run(inputs, server.url, 16, Path(tmp) / "rerun.jsonl", cache)
        rows.append({"run": "llm-extract rerun (cache), concurrency 16", "concurrency": 16, **got, "ideal": 0.0})
        got = instructor_loop(inputs, server.url)
        rows.append({"run": "plain instructor loop (sequential)", "concurrency": 1, **got})
        got = langextract_run(inputs, server.url)
        if got is not None:
            rows.append({"run": "LangExtract, default max_workers (10)", "concurrency": 10, **got})
    for row in rows:
        row.setdefault("ideal", math.ceil(args.articles / row["concurrency"]) * args.latency)
        row["ratio_to_ideal"] = round(row["ideal"] / row["seconds"], 3) if row["ideal"] else None
        row["seconds"] = round(row["seconds"], 2)
        if "start_up" in row:
            row["start_up"] = round(row["start_up"], 3)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{args.articles} one-chunk articles, endpoint latency {args.latency}s\n")
    print("| run | wall s | ideal s | ideal / wall | requests | cache hits | records | client start-up s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r['ratio_to_ideal']:.0%}" if r["ratio_to_ideal"] is not None else "—"
        start_up = f"{r['start_up']:.2f}" if "start_up" in r else "—"
        print(f"| {r['run']} | {r['seconds']} | {r['ideal']:.1f} | {ratio} | {r['requests']} | {r['cache_hits']} "
              f"| {r['records']} | {start_up} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
