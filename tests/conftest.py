"""Shared fixtures: the repository's seeds, dev articles and gold files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
