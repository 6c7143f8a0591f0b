#!/usr/bin/env bash
# Build the wheel, install it in a throw-away venv and run the main job from outside the checkout:
# prompts and schemas must load from the installed package, not from the source tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip wheel -q --no-deps "$root" -w "$work/dist"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/*.whl
cd "$work"
"$work/venv/bin/python" - <<'PY'
from llm_extract.backends.prompting import load_template
from llm_extract.backends.records import load_schema
assert load_template("extract").hash and load_schema("economic_indicator")["title"] == "EconomicIndicator"
print("wheel resources: ok")
PY
"$work/venv/bin/llm-extract" run "$root/seeds" -o "$work/out/seeds.jsonl" -q
test -s "$work/out/seeds.jsonl"
grep -q '"region_code":"210211"' "$work/out/seeds.jsonl"  # the gazetteer ships in the wheel
echo "wheel smoke: ok"
