"""Loading: encodings, HTML, JSONL, directories and globs; bad inputs are errors naming the file."""

from __future__ import annotations

import json

import pytest

from llm_extract.errors import BinaryInputError, DecodeError, EmptyInputError, InputError, MalformedLineError
from llm_extract.text.loading import html_to_text, iter_articles, read_file
from llm_extract.types import Article

TEXT = "大连市一季度完成固定资产投资68.6亿元，同比增长11.0%。"
TRAD = "大連市一季度完成固定資產投資68.6億元，同比增長11.0%。"


def test_utf8_gb18030_and_big5_are_decoded(tmp_path):
    (tmp_path / "a.txt").write_bytes(TEXT.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes((TEXT * 3).encode("gb18030"))
    (tmp_path / "c.txt").write_bytes((TRAD * 3).encode("big5"))
    (tmp_path / "d.txt").write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    texts = {a.doc_id: a.text for a in iter_articles([tmp_path])}
    assert texts["a"] == texts["d"] == TEXT
    assert texts["b"] == TEXT * 3
    assert texts["c"] == TRAD * 3


def test_html_keeps_line_structure_and_drops_scripts(tmp_path):
    page = (
        "<html><head><title>标题</title><script>var x=1;</script></head>"
        "<body><p>第一段&nbsp;68.6亿元</p><div>第二段</div></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (article,) = read_file(tmp_path / "page.html")
    assert article.doc_id == "page"
    assert article.text.splitlines() == ["标题", "第一段\xa068.6亿元", "第二段"]
    assert "var x" not in html_to_text(page)


def test_jsonl_lines_become_articles_and_bad_lines_errors(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "x1", "text": TEXT}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": 7, "text": TEXT}),
        json.dumps({"text": TEXT}),
        json.dumps({"id": "x3", "text": ""}),
        json.dumps([1, 2]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_articles([path]))
    assert [i.doc_id for i in items if isinstance(i, Article)] == ["x1", "7"]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [e.source for e in errors] == [f"{path}:2", f"{path}:4", f"{path}:5", f"{path}:6"]
    assert isinstance(errors[0], MalformedLineError) and isinstance(errors[2], EmptyInputError)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", EmptyInputError),
        (b"   \n\n", EmptyInputError),
        (b"\x00\x01\x02PNG\x00" * 10, BinaryInputError),
        (bytes(range(128, 256)) * 4, DecodeError),
    ],
)
def test_bad_files_raise_typed_errors_naming_the_file(tmp_path, content, error):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(error) as info:
        read_file(path)
    assert str(path) in str(info.value)


def test_a_bad_input_does_not_stop_the_others(tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    items = list(iter_articles([tmp_path, tmp_path / "missing.txt", str(tmp_path / "*.md")]))
    kinds = sorted(type(i).__name__ for i in items)
    assert kinds == ["Article", "EmptyInputError", "InputError", "InputError"]


def test_glob_and_doc_id_from_file_name(tmp_path):
    for name in ("a.txt", "b.md", "c.csv"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    ids = [a.doc_id for a in iter_articles([str(tmp_path / "*")]) if isinstance(a, Article)]
    assert ids == ["a", "b", "c"]  # a glob takes what it matches; a directory only supported suffixes
    ids = [a.doc_id for a in iter_articles([tmp_path]) if isinstance(a, Article)]
    assert ids == ["a", "b"]


def test_duplicate_doc_id_is_an_error_not_a_merge(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "x" / "a.txt").write_text(TEXT, encoding="utf-8")
    items = list(iter_articles([tmp_path]))
    assert sum(isinstance(i, Article) for i in items) == 1
    assert any(isinstance(i, InputError) and "already used" in str(i) for i in items)


def test_a_crawl_record_in_a_text_file_is_read_as_its_page(tmp_path):
    record = {"date": "2017-06-28 01:31", "content": TEXT, "title": "示例标题", "url": "https://example.com/1"}
    path = tmp_path / "e1.txt"
    path.write_text(json.dumps(record, ensure_ascii=False) + ",\n", encoding="utf-8")
    (article,) = read_file(path)
    assert article.text == f"示例标题\n2017-06-28 01:31\n{TEXT.strip()}"
    assert "example.com" not in article.text
    other = tmp_path / "e2.txt"
    other.write_text('{"note": "不是新闻"} 后面还有文字', encoding="utf-8")  # not one record: read as written
    assert read_file(other)[0].text.startswith('{"note"')
