"""Write the JSON Schema of every built-in record model under ``schemas/`` (tests fail on drift)."""

from __future__ import annotations

from pathlib import Path

from llm_extract.backends.records import BUILTIN_MODELS, schema_text

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    for name, model in BUILTIN_MODELS.items():
        path = ROOT / "schemas" / f"{name}.json"
        path.write_text(schema_text(model), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
