"""The seeds through a real small model (Qwen2.5-Coder-0.5B, llama-cpp-python on loopback).

Shared by ``scripts/record_local_model.py``, which records the exchanges into
``cassettes/local_model/`` from a running server, and by ``tests/test_local_model.py``, which
replays them offline. The same settings make the same requests, so replay matches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_extract.backends.llm import LLMBackend
from llm_extract.evaluation import evaluate
from llm_extract.pipeline import run_backend
from llm_extract.settings import Settings
from llm_extract.types import Article

ROOT = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:18080/v1"
MODEL = "qwen2.5-coder-0.5b"


def cassette(reask: bool) -> Path:
    return ROOT / "cassettes" / "local_model" / f"seeds_reask_{'on' if reask else 'off'}.yaml"


def settings(reask: bool) -> Settings:
    """The local-endpoint defaults (streamed answers, a budget per chunk, 600 s to start, 120 s of
    silence), JSON mode, and no transport retries (a cassette miss then fails at once)."""
    return Settings.from_env({"LLM_EXTRACT_BASE_URL": URL}, model=MODEL, mode="json", max_retries=1 if reask else 0,
                             transport_retries=0)  # fmt: skip


def run_seeds(reask: bool) -> dict[str, Any]:
    """Records, rejected rows and usage of the five seeds; the score against the seed gold."""
    backend = LLMBackend(settings(reask))
    records: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    errors: list[str] = []
    requests = prompt_tokens = completion_tokens = runaways = 0
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        result = run_backend(Article(path.stem, path.read_bytes().decode("utf-8"), str(path)), backend)
        records += result.records
        rejected += result.rejected
        errors += result.errors
        requests += result.usage.requests
        prompt_tokens += result.usage.prompt_tokens
        completion_tokens += result.usage.completion_tokens
        runaways += result.usage.runaways
    import json

    gold = [json.loads(line) for line in (ROOT / "eval" / "seeds.gold.jsonl").read_text(encoding="utf-8").splitlines()]
    score = evaluate(gold, records)
    returned = len(records) + len(rejected)
    return {
        "reask": reask,
        "records": records,
        "rejected": rejected,
        "errors": errors,
        "summary": {
            "verified": len(records),
            "rejected": len(rejected),
            "rejected_share": round(len(rejected) / returned, 3) if returned else 0.0,
            "precision": round(score.precision, 3),
            "recall": round(score.recall, 3),
            "f1": round(score.f1, 3),
            "requests": requests,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "failed_chunks": len(errors),
            "runaways": runaways,
        },
    }
