"""The Ray Data engine on a local Ray instance (2 CPUs): the same records as the in-process run,
bad inputs in the errors, resume, and an actor killed mid-run (fault injection: the actor that
claims a marker file exits at once, as a lost worker would) retried by Ray with nothing lost."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEV, SEEDS

if os.environ.get("LLM_EXTRACT_REQUIRE_RAY") == "1":  # set by .ci/run: there these tests must run
    import ray
else:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'llm-extract[ray]')")

from llm_extract.cli import cli
from llm_extract.pipeline import extract_many
from llm_extract.run.ray import ROW_FIELDS, extract_dataset, quiet_ray
from llm_extract.text.loading import iter_articles

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])  # Ray's own sockets


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    kill = tmp_path_factory.mktemp("kill") / "kill-once"
    os.environ["LLM_EXTRACT_RAY_KILL_ONCE"] = str(kill)  # inherited by the workers this ray.init starts
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    quiet_ray()
    yield kill
    ray.shutdown()
    os.environ.pop("LLM_EXTRACT_RAY_KILL_ONCE", None)


def in_process(paths: list[Path]) -> list[dict]:
    return [r for e in extract_many([str(p) for p in paths], backend="rules") for r in e.records]


def canonical(row: dict) -> str:
    keep = {k: row.get(k) for k in ROW_FIELDS if k not in ("status", "reasons", "error")}
    for k in ("span", "checks"):
        if isinstance(keep[k], str):
            keep[k] = json.loads(keep[k])
    for k in ("value", "growth_pct"):
        keep[k] = None if keep[k] is None else float(keep[k])  # a dataset column holds floats
    return json.dumps(keep, ensure_ascii=False, sort_keys=True)


def test_extract_dataset_gives_the_in_process_records_and_error_rows(cluster):
    paths = sorted(SEEDS.glob("*.txt")) + sorted(DEV.glob("*"))[:10]
    items = [{"id": a.doc_id, "text": a.text} for a in iter_articles([str(p) for p in paths])]
    items += [{"id": "empty", "text": "   "}]
    rows = extract_dataset(ray.data.from_items(items), backend="rules", actors=2, batch_size=4).take_all()
    assert set(rows[0]) == set(ROW_FIELDS)
    verified = sorted(canonical(r) for r in rows if r["status"] == "verified")
    assert verified == sorted(canonical(r) for r in in_process(paths))
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == 1 and "empty" in errors[0]["error"]


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["run", *args, "--backend", "rules", "-q"])
    return result.exit_code, result.output


def lines(path: Path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8").splitlines()) if path.exists() else []


def test_the_cli_on_ray_writes_what_the_in_process_run_writes(cluster, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    for p in sorted(DEV.glob("*")):
        shutil.copy(p, src / p.name)
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    code_local, _ = run([str(src), "-o", str(tmp_path / "local.jsonl")])
    code_ray, output = run([str(src), "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray", "--actors", "2"])
    assert code_local == code_ray == 1, output  # the two bad inputs fail in both
    for kind in ("", ".rejected", ".errors"):
        assert lines(tmp_path / f"ray{kind}.jsonl") == lines(tmp_path / f"local{kind}.jsonl"), kind
    assert len(lines(tmp_path / "ray.errors.jsonl")) == 2
    _, output = run([str(src), "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray"])  # resume: all done
    assert "35 already done" in output
    assert lines(tmp_path / "ray.jsonl") == lines(tmp_path / "local.jsonl")


def test_an_actor_killed_mid_run_is_retried_and_nothing_is_lost(cluster, tmp_path):
    cluster.write_text("kill one actor", encoding="utf-8")
    code, output = run([str(SEEDS), "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray", "--actors", "2"])
    assert code == 0, output
    assert not cluster.exists() and Path(str(cluster) + ".claimed").exists()  # an actor did die
    code, _ = run([str(SEEDS), "-o", str(tmp_path / "local.jsonl")])
    assert lines(tmp_path / "ray.jsonl") == lines(tmp_path / "local.jsonl")
    assert len(lines(tmp_path / "ray.journal.jsonl")) == 5
