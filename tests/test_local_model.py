"""The seeds through a real small model, replayed from cassettes recorded on loopback.

The cassettes in ``cassettes/local_model/`` are real exchanges with Qwen2.5-Coder-0.5B served by
llama-cpp-python (``scripts/record_local_model.py``). The model gets headline figures right and
invents or mis-binds others; these tests replay the exchanges offline and check that verified
records are correct to the character and that its invented figures come out rejected.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vcr as vcrpy
from cassette_format import register, vcr_kwargs
from local_model import ROOT, cassette, run_seeds

EXPECTED = json.loads((ROOT / "docs" / "local_model.json").read_text(encoding="utf-8"))


def replay(reask: bool) -> dict:
    recorder = vcrpy.VCR(**vcr_kwargs())
    register(recorder)
    with recorder.use_cassette(str(cassette(reask)), record_mode="none", allow_playback_repeats=False):
        return run_seeds(reask)


@pytest.fixture(scope="module", params=[False, True], ids=["reask_off", "reask_on"])
def run(request):
    return replay(request.param)


def test_replay_reproduces_the_recorded_measurements(run):
    expected = EXPECTED["reask_on" if run["reask"] else "reask_off"]
    if "stale" in expected:
        pytest.skip(f"recording predates the current re-asks: {expected['stale']}")
    for key in ("verified", "rejected", "precision", "recall", "f1", "requests", "prompt_tokens", "failed_chunks"):
        assert run["summary"][key] == expected[key], key


def test_verified_records_point_at_the_raw_text(run):
    raws = {p.stem: p.read_bytes().decode("utf-8") for p in (ROOT / "seeds").glob("*.txt")}
    assert run["records"], "the model verified nothing"
    for record in run["records"]:
        assert raws[record["doc_id"]][record["span"][0] : record["span"][1]] == record["evidence"]


def test_the_models_invented_figures_are_rejected_with_reasons(run):
    assert run["rejected"], "a 0.5B model always invents some figures"
    for row in run["rejected"]:
        assert row["reasons"] and row["status"] == "rejected"


def test_cassettes_hold_no_secret(tmp_path: Path):
    for path in (ROOT / "cassettes" / "local_model").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").lower()
        assert "authorization" not in text and "sk-" not in text
