"""Loading: strings, files, directories, globs, JSONL and stdin to :class:`Article` values.

Supported files: ``.txt``, ``.md``, ``.html``/``.htm`` (rendered to text, one line per block
element) and ``.jsonl`` (one ``{"id": ..., "text": ...}`` object per line). A ``.txt`` or ``.md``
file that holds one crawl record, a JSON object with the page's ``content`` (or ``text``/``body``)
and optionally its ``title`` and ``date`` (``{"date": ..., "content": ..., "title": ...},`` as
news-crawl dumps write them), is read as that page: title, date and content, one per line; its
other fields (url, site, category) are not article text. Bytes are decoded
as UTF-8, else GB18030 or Big5 as detected. A file's ``doc_id`` is its name without the
extension; a JSONL line's is its ``id``.

:func:`iter_articles` never raises for a bad input: it yields the :class:`InputError` in the
article's place, so a batch goes on. :func:`read_file` raises it.
"""

from __future__ import annotations

import glob
import html
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from llm_extract.errors import (
    BinaryInputError,
    DecodeError,
    EmptyInputError,
    InputError,
    MalformedLineError,
)
from llm_extract.types import Article

__all__ = [
    "SUPPORTED_SUFFIXES",
    "crawl_record_text",
    "decode_bytes",
    "html_dropped_lines",
    "html_main_text",
    "html_to_text",
    "iter_articles",
    "read_file",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
_MAX_BYTES = 256 * 1024 * 1024


def decode_bytes(data: bytes, source: str) -> str:
    """Decode UTF-8 (BOM allowed), else GB18030 or Big5, else raise :class:`DecodeError`."""
    if not data.strip():
        raise EmptyInputError(source, "the file is empty")
    if b"\x00" in data[:8192]:
        raise BinaryInputError(source, "the file holds binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # deferred: only non-UTF-8 files need it

    best = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
    if best is None:
        raise DecodeError(source, "the bytes are not UTF-8, GB18030 or Big5 text; convert the file to UTF-8")
    return str(best)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters other than \t \n \v \f \r


def _check_text(text: str, source: str) -> str:
    if not text.strip():
        raise EmptyInputError(source, "the text is empty")
    head = text[:20000]
    controls = len(_CONTROL.findall(head))
    if controls > max(8, len(head) // 100):
        raise BinaryInputError(source, "the text is mostly control characters; is it a binary file?")
    return text


class _TextExtractor(HTMLParser):
    _BLOCK: frozenset[str] = frozenset({
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer", "h1", "h2",
        "h3", "h4", "h5", "h6", "title", "blockquote", "pre", "dd", "dt", "hr", "td", "th", "nav", "aside", "main",
    })  # fmt: skip
    _SKIP: frozenset[str] = frozenset({"script", "style", "noscript", "template", "svg", "iframe"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(" ".join(data.split("\n")) if data.strip() else "")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, one line per block element, entities decoded."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return html.unescape("\n".join(line for line in lines if line))


_TABLE_ROW = re.compile(r"^\|(?P<cells>.*)\|\s*$")
# Below this much main text the extractor probably missed the article: fall back to the whole page
# (the cleaning step then finds the body by the shape of its lines).
_MIN_MAIN_TEXT = 80


def html_main_text(markup: str) -> str:
    """The article of an HTML page: title, date and main text found by trafilatura with its
    precision settings (navigation, related lists, ads, footers and comments left out), tables one
    cell per line. Falls back to :func:`html_to_text` of the whole page when nothing is found."""
    import trafilatura  # deferred: only HTML input pays for importing it

    try:
        doc = trafilatura.bare_extraction(
            markup, favor_precision=True, include_tables=True, include_comments=False, include_images=False,
            include_links=False, with_metadata=True, deduplicate=False,
        )  # fmt: skip
    except Exception:  # a page the extractor cannot parse is still read, in full
        doc = None
    text = getattr(doc, "text", None) or ""
    if len(text.strip()) < _MIN_MAIN_TEXT:
        return html_to_text(markup)
    lines: list[str] = []
    title = (getattr(doc, "title", None) or "").strip()
    date = (getattr(doc, "date", None) or "").strip()
    if title and not text.lstrip().startswith(title):
        lines.append(title)
    if date and date not in text[:300]:
        lines.append(date)
    for line in text.splitlines():
        row = _TABLE_ROW.match(line.strip())
        if row is None:
            lines.append(line)
        else:  # "| 粗钢 | 万吨 | 512.6 |": one cell per line, as statistical tables are read
            lines.extend(cell.strip() for cell in row.group("cells").split("|") if cell.strip())
    return "\n".join(lines)


def html_dropped_lines(markup: str) -> list[str]:
    """Lines of the whole page's text that the main-content extractor left out."""
    kept = set(html_main_text(markup).splitlines())
    return [line for line in html_to_text(markup).splitlines() if line.strip() and line not in kept]


def read_file(path: str | os.PathLike[str]) -> list[Article]:
    """Articles of one file; raises :class:`InputError` naming the file. JSONL lines must all be good."""
    out = []
    for item in _read(Path(path)):
        if isinstance(item, InputError):
            raise item
        out.append(item)
    return out


def _read(path: Path) -> Iterator[Article | InputError]:
    source = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not path.is_dir():
            yield InputError(source, "not a regular file (a pipe, socket or device)")  # reading a pipe would block
            return
        if info.st_size > _MAX_BYTES:
            yield InputError(source, f"the file is larger than {_MAX_BYTES // 2**20} MiB; split it")
            return
        data = path.read_bytes()
    except FileNotFoundError:
        yield InputError(source, "no such file")
        return
    except IsADirectoryError:
        yield InputError(source, "is a directory")
        return
    except OSError as exc:
        yield InputError(source, f"cannot read the file ({exc.strerror or exc})")
        return
    try:
        text = decode_bytes(data, source)
    except InputError as exc:
        yield exc
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl(text, source, path.stem)
        return
    if suffix in {".html", ".htm"}:
        text = html_main_text(text)
    elif text.lstrip().startswith("{"):
        text = crawl_record_text(text) or text
    try:
        yield Article(doc_id=path.stem, text=_check_text(text, source), source=source)
    except InputError as exc:
        yield exc


_CONTENT_KEYS = ("content", "text", "body")


def crawl_record_text(text: str) -> str | None:
    """The page a crawl record holds (title, date and content, one per line), or None when ``text``
    is not one JSON object with a string content field."""
    try:
        row = json.loads(text.strip().removesuffix(","))
    except json.JSONDecodeError:
        return None
    if not isinstance(row, dict):
        return None
    content = next((row[k] for k in _CONTENT_KEYS if isinstance(row.get(k), str) and row[k].strip()), None)
    if content is None:
        return None
    head = [row[k].strip() for k in ("title", "date") if isinstance(row.get(k), str) and row[k].strip()]
    return "\n".join([*head, content.strip()])


def _jsonl(text: str, source: str, stem: str) -> Iterator[Article | InputError]:
    seen = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        seen = True
        where = f"{source}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield MalformedLineError(where, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            yield MalformedLineError(where, 'expected an object like {"id": "...", "text": "..."} with a string text')
            continue
        doc_id = row.get("id")
        if doc_id is None or isinstance(doc_id, (dict, list)) or str(doc_id).strip() == "":
            yield MalformedLineError(where, 'the line has no "id"; give every line a unique id')
            continue
        try:
            yield Article(doc_id=str(doc_id), text=_check_text(row["text"], where), source=where)
        except InputError as exc:
            yield exc
    if not seen:
        yield EmptyInputError(source, "the JSONL file has no lines")


def _expand(item: str) -> Iterator[Path | InputError]:
    path = Path(item)
    if path.is_dir():
        found = False
        for p in sorted(path.rglob("*")):
            if p.suffix.lower() not in SUPPORTED_SUFFIXES or p.is_dir():
                continue
            found = True
            if p.is_file():
                yield p
            elif p.is_symlink() and not p.exists():
                yield InputError(str(p), "a broken symbolic link (its target does not exist)")
            else:
                yield InputError(str(p), "not a regular file (a pipe, socket or device)")
        if not found:
            yield InputError(item, f"the directory holds no {', '.join(SUPPORTED_SUFFIXES)} files")
    elif path.exists() or path.is_symlink():
        yield path
    elif glob.has_magic(item):
        matches = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
        if not matches:
            yield InputError(item, "the pattern matches no files")
        yield from matches
    else:
        yield InputError(item, "no such file or directory")


def iter_articles(inputs: Iterable[str | os.PathLike[str] | Article]) -> Iterator[Article | InputError]:
    """Expand and read ``inputs`` in order; ``"-"`` reads stdin (JSONL if it parses as JSONL).

    Each bad input yields an :class:`InputError` and the rest go on. A ``doc_id`` seen twice
    yields an error for the second article rather than mixing two articles' records.
    """
    seen: set[str] = set()
    for item in inputs:
        for article in _items(item):
            if isinstance(article, Article):
                if article.doc_id in seen:
                    yield InputError(article.source, f"doc_id {article.doc_id!r} was already used by another input")
                    continue
                seen.add(article.doc_id)
            yield article


def _items(item: str | os.PathLike[str] | Article) -> Iterator[Article | InputError]:
    if isinstance(item, Article):
        yield item
        return
    name = os.fspath(item)
    if name == "-":
        text = sys.stdin.read()
        first = next((line for line in text.splitlines() if line.strip()), "")
        if first.lstrip().startswith("{"):
            yield from _jsonl(text, "<stdin>", "stdin")
        else:
            try:
                yield Article(doc_id="stdin", text=_check_text(text, "<stdin>"), source="<stdin>")
            except InputError as exc:
                yield exc
        return
    for path in _expand(name):
        if isinstance(path, InputError):
            yield path
        else:
            yield from _read(path)
