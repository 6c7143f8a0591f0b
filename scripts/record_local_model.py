"""Record the seeds through the real local model, re-ask on and off, and write the results.

Needs the model served on loopback first (see README, "Re-recording cassettes"):

    bash ../shared/tools/local_llm.sh setup && bash ../shared/tools/local_llm.sh serve 18080 &
    python scripts/record_local_model.py

Writes ``cassettes/local_model/seeds_reask_{on,off}.yaml`` (real HTTP exchanges) and
``docs/local_model.json`` (precision, recall and rejected share), which the replay test checks.
``--only on|off`` records one of the two. ``--replay`` recomputes ``docs/local_model.json`` from
the cassettes (after a verifier change), with no server.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import vcr  # noqa: E402
from cassette_format import register, vcr_kwargs  # noqa: E402
from local_model import cassette, run_seeds  # noqa: E402


def main() -> int:
    replay = "--replay" in sys.argv  # recompute the measurements from the recorded exchanges
    recorder = vcr.VCR(**vcr_kwargs())
    register(recorder)
    out = ROOT / "docs" / "local_model.json"
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None  # "on" or "off"
    results = {k: v for k, v in previous.items() if only is not None}  # the other one stays as it was
    for reask in (False, True):
        if only is not None and only != ("on" if reask else "off"):
            continue
        path = cassette(reask)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not replay:
            path.unlink(missing_ok=True)
        start = time.perf_counter()
        with recorder.use_cassette(str(path), record_mode="none" if replay else "all"):
            run = run_seeds(reask)
        seconds = previous.get("reask_on" if reask else "reask_off", {}).get("seconds")
        run["summary"]["seconds"] = seconds if replay else round(time.perf_counter() - start, 1)
        results["reask_on" if reask else "reask_off"] = run["summary"]
        print(("re-ask on " if reask else "re-ask off"), json.dumps(run["summary"], ensure_ascii=False), flush=True)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
