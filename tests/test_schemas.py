"""Exported schemas match the code, and schemas and prompts load from the installed package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_extract.backends.prompting import load_template
from llm_extract.backends.records import BUILTIN_MODELS, load_schema, schema_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(BUILTIN_MODELS))
def test_exported_schema_has_not_drifted(name):
    stored = (ROOT / "schemas" / f"{name}.json").read_text(encoding="utf-8")
    assert stored == schema_text(BUILTIN_MODELS[name]), "run: python scripts/export_schemas.py"


def test_schema_and_prompt_resources_load_from_the_package():
    assert load_schema("economic_indicator")["title"] == "EconomicIndicator"
    template = load_template("extract")
    assert "{{ chunk }}" in template.user and len(template.hash) == 12


def test_schema_descriptions_are_prompt_text_in_chinese():
    props = json.loads(schema_text(BUILTIN_MODELS["economic_indicator"]))["properties"]
    assert all(props[f]["description"] for f in ("indicator", "value", "unit", "growth_pct", "evidence"))
