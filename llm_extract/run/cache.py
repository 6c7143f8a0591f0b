"""A persistent answer cache: one JSON file per chunk answer, written atomically.

Keys hash everything that changes the answer: model, base URL, mode, prompt template hash, schema
hash, the chunk text, its article context and the settings that shape the call (re-asks,
max tokens), plus the package version (verification inside the call may change). Files are
written to a temporary name and renamed into place, so concurrent writers (several runs, or
shards, sharing one cache) never leave a half-written entry; a corrupt or unreadable entry is a
miss, never an error. Entries are plain JSON: nothing is unpickled or executed on load.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["ChunkCache", "default_cache_dir"]


def default_cache_dir() -> Path:
    """``$LLM_EXTRACT_CACHE_DIR``, else ``$XDG_CACHE_HOME/llm-extract``, else ``~/.cache/llm-extract``."""
    if os.environ.get("LLM_EXTRACT_CACHE_DIR"):
        return Path(os.environ["LLM_EXTRACT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llm-extract"


class ChunkCache:
    """Chunk answers by key under ``directory`` (created on first write)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(parts: dict[str, Any]) -> str:
        text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, **value}, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time
