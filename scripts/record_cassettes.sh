#!/usr/bin/env bash
# Re-record every cassette (run after changing prompts, schemas, chunking or the SDK versions).
#  1. the scripted-server cassettes (the server starts by itself on 127.0.0.1:18931);
#  2. with --local-model: the real small model too (needs ../shared/tools/local_llm.sh serve 18080).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pytest tests/test_llm.py --record-mode=rewrite -q
if [ "${1:-}" = "--local-model" ]; then
  python scripts/record_local_model.py
fi
