"""The pipeline's own loss, measured with the perfect-model harness (``perfect_model.py``): a
scripted endpoint answering each chunk with the gold facts it holds. ``scripts/bench_perfect.py``
reports every set; here the seeds and dev2 are held to what was measured."""

from __future__ import annotations

import pytest
from perfect_model import run_set

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def test_a_perfect_model_loses_nothing_on_the_seeds():
    result = run_set("seeds")
    assert result["gold"] == 124 and result["lost"] == 0 and result["chunk_errors"] == 0
    assert result["region_right"] == 1.0 and result["period_right"] == 1.0


def test_dev2_pages_lose_only_what_their_text_does_not_say():
    # Measured: 5 of 196 — four periods whose year the page never writes (2009年10月30日) and one
    # indicator named away from its figure; a regression in cleaning or verification shows here.
    result = run_set("dev2")
    assert result["lost"] <= 5, result["refused_by_reason"]


@pytest.mark.parametrize("name", ["seeds", "dev2"])
def test_a_real_models_mis_bound_growth_rates_are_all_refused(name):
    result = run_set(name, noise=True)
    assert result["misbound_answered"] > 0
    assert result["misbound_verified"] == 0
    assert result["loss"] <= 0.03  # on the facts the noise left untouched
