"""Shared fixtures: the repository's seeds, dev articles and gold files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cassette_format import register, vcr_kwargs

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV = ROOT / "eval" / "dev" / "articles"
SEED_GOLD = ROOT / "eval" / "seeds.gold.jsonl"
DEV_GOLD = ROOT / "eval" / "dev" / "gold.jsonl"


def read_gold(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def seed_gold() -> list[dict[str, Any]]:
    return read_gold(SEED_GOLD)


@pytest.fixture(scope="session")
def dev_gold() -> list[dict[str, Any]]:
    return read_gold(DEV_GOLD)


# Fixed loopback endpoints the cassettes were recorded from (host and port are matched).
SCRIPTED_PORT = 18931
SCRIPTED_URL = f"http://127.0.0.1:{SCRIPTED_PORT}/v1"
LOCAL_MODEL_URL = "http://127.0.0.1:18080/v1"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's answer cache."""
    monkeypatch.setenv("LLM_EXTRACT_CACHE_DIR", str(tmp_path / "cache"))


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    register(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    config = vcr_kwargs()
    del config["cassette_library_dir"]  # vcr_cassette_dir below: one folder per test module
    return config


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(ROOT / "cassettes" / request.module.__name__.split(".")[-1])


@pytest.fixture(scope="session")
def scripted_url(request: pytest.FixtureRequest) -> Any:
    """The scripted server's URL; it is started only when recording (record mode other than none)."""
    if request.config.getoption("--record-mode") in (None, "none"):
        yield SCRIPTED_URL
        return
    from scripted_server import ScriptedServer

    with ScriptedServer(port=SCRIPTED_PORT) as server:
        yield server.url
