"""Odd inputs in one batch: long files, many lines, only boilerplate, only numbers, mixed encodings,
symlinks (good, broken, looping), pipes and unreadable files. Each is done or reported by name with
its problem; the rest of the batch goes on. Sizes here are kept small enough for CI; the 10 MB file
and 100,000 lines, with peak memory, are in ``scripts/bench_inputs.py``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from llm_extract.cli import cli

LINE = "全市完成固定资产投资{a}.5亿元，同比增长{b}.1%。"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["run", *args, "--backend", "rules"])
    return result.exit_code, result.output


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "many_lines.txt").write_text("\n".join(LINE.format(a=i, b=i % 9) for i in range(5_000)), encoding="utf-8")
    (d / "one_long_line.txt").write_text("".join(LINE.format(a=i, b=i % 9) for i in range(5_000)), encoding="utf-8")
    (d / "boilerplate.txt").write_text("当前位置：首页 > 新闻\n责任编辑：张三\n【打印】【关闭】\n", encoding="utf-8")
    (d / "numbers.txt").write_text(" ".join(f"{i * 1.5}" for i in range(5_000)), encoding="utf-8")
    (d / "gbk.txt").write_bytes("全市完成投资5亿元，增长3%。".encode("gb18030"))
    (d / "big5.txt").write_bytes("全市完成投資5億元，增長3%。".encode("big5"))
    (d / "utf8bom.txt").write_bytes("\ufeff全市完成投资7亿元。".encode())
    (d / "link.txt").symlink_to(d / "gbk.txt")
    (d / "broken.txt").symlink_to(d / "missing.txt")
    (d / "sub").mkdir()
    (d / "sub" / "loop").symlink_to(d, target_is_directory=True)  # a directory loop must not hang the walk
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "pipe.txt")  # reading it would block forever
    return d


def test_every_odd_input_is_done_or_named_with_its_problem(odd, tmp_path):
    out = tmp_path / "o.jsonl"
    code, output = _run(str(odd), "-o", str(out))
    assert code == 1 and "Traceback" not in output
    errors = {Path(e["source"]).name: e["error"] for e in _rows(tmp_path / "o.errors.jsonl")}
    assert "broken symbolic link" in errors.pop("broken.txt")
    if hasattr(os, "mkfifo"):
        assert "not a regular file" in errors.pop("pipe.txt")
    assert errors == {}
    done = {json.loads(x)["doc_id"] for x in (tmp_path / "o.journal.jsonl").read_text().splitlines()}
    assert done == {"many_lines", "one_long_line", "boilerplate", "numbers", "gbk", "big5", "utf8bom", "link"}
    by_doc: dict[str, list[dict]] = {}
    for row in _rows(out):
        by_doc.setdefault(row["doc_id"], []).append(row)
    assert "boilerplate" not in by_doc and "numbers" not in by_doc  # nothing to extract, nothing invented
    assert [r["value"] for r in by_doc["gbk"]] == [5.0] == [r["value"] for r in by_doc["big5"]]
    assert [r["value"] for r in by_doc["utf8bom"]] == [7.0]
    raw = (odd / "many_lines.txt").read_text(encoding="utf-8")
    rows = by_doc["many_lines"]
    assert len(rows) > 1000
    for row in rows[:: max(1, len(rows) // 50)]:
        assert raw[row["span"][0] : row["span"][1]] == row["evidence"]


def test_an_unreadable_file_is_named_and_the_batch_goes_on(tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text("全市完成投资5亿元。", encoding="utf-8")
    (d / "locked.txt").write_text("全市完成投资6亿元。", encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # fault injection: root can read a chmod-000 file, so refuse it here
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    out = tmp_path / "o.jsonl"
    code, _ = _run(str(d), "-o", str(out))
    assert code == 1
    [error] = _rows(tmp_path / "o.errors.jsonl")
    assert error["source"].endswith("locked.txt") and "Permission denied" in error["error"]
    assert [r["doc_id"] for r in _rows(out)] == ["good"]


def test_a_file_over_the_size_limit_is_refused_by_name(tmp_path, monkeypatch):
    from llm_extract.text import loading

    monkeypatch.setattr(loading, "_MAX_BYTES", 1024)
    big = tmp_path / "big.txt"
    big.write_text(LINE.format(a=1, b=2) * 100, encoding="utf-8")
    code, output = _run(str(big), "-o", str(tmp_path / "o.jsonl"))
    assert code == 1 and "larger than" in output and "split it" in output
