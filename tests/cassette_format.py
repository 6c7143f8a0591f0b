"""How cassettes are written and matched: readable Chinese, parsed JSON bodies, no secrets.

* Request and response bodies that are JSON are stored parsed (``json:`` key) with
  ``allow_unicode`` so reviewers read Chinese, not ``\\u4F60``; other bodies stay strings.
* A streamed answer (server-sent events: ``data:`` lines, blank separators, ``:`` comments) is
  stored as its list of lines (``sse:`` key), one per event, JSON payloads with readable Chinese;
  replay writes each back followed by the blank line that ends an event.
* Requests match on method, scheme, host, port, path, query and the *parsed* JSON body.
* Secret headers are filtered at record time; volatile response headers are dropped.
* Cassettes load with ``yaml.safe_load`` only: no object tags, nothing executes.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import yaml

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie"]
DROPPED_RESPONSE_HEADERS = {"set-cookie", "x-request-id", "date", "server"}


def _to_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return str(body)


def _pack(body: Any) -> Any:
    text = _to_text(body)
    if not text:
        return text
    try:
        return {"json": json.loads(text)}
    except ValueError:
        pass
    events = _sse_events(text)
    return {"sse": events} if events is not None else text


def _sse_events(text: str) -> list[str] | None:
    """The lines of a server-sent-event body (separators dropped, JSON payloads re-written with
    readable Chinese), or None when ``text`` is not one."""
    if not text.startswith(("data:", ":")):
        return None
    events: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("data:"):
            data = line[5:].strip()
            with contextlib.suppress(ValueError):
                data = json.dumps(json.loads(data), ensure_ascii=False)
            events.append(f"data: {data}")
        elif line.startswith(":"):
            events.append(line)
        else:
            return None  # event:/id:/retry: fields are not stored by this format: keep the text
    return events


def _unpack(body: Any) -> Any:
    if isinstance(body, dict) and set(body) == {"json"}:
        return json.dumps(body["json"], ensure_ascii=False)
    if isinstance(body, dict) and set(body) == {"sse"}:
        return "".join(f"{line}\n\n" for line in body["sse"])
    return body


class ReadableJSONSerializer:
    """vcrpy serializer: YAML with parsed JSON bodies, safe to load."""

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        out = {"version": cassette_dict.get("version", 1), "interactions": []}
        for item in cassette_dict["interactions"]:
            request = dict(item["request"])
            request["body"] = _pack(request.get("body"))
            response = dict(item["response"])
            body = response.get("body") or {}
            response["body"] = {"string": _pack(body.get("string"))}
            out["interactions"].append({"request": request, "response": response})
        return yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=120)

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        data = yaml.safe_load(text) or {"interactions": []}
        for item in data["interactions"]:
            item["request"]["body"] = _unpack(item["request"].get("body"))
            string = _unpack(item["response"]["body"].get("string"))
            item["response"]["body"]["string"] = string.encode("utf-8") if isinstance(string, str) else string
        return data


def _boundary_free(request: Any, text: str | None) -> str | None:
    """A multipart body with its random boundary replaced by a fixed word (uploads match on replay)."""
    headers = request.headers or {}
    kind = headers.get("content-type") or headers.get("Content-Type") or ""
    kind = str(kind[0] if isinstance(kind, list | tuple) and kind else kind)
    if text is None or "boundary=" not in kind:
        return text
    return text.replace(kind.split("boundary=", 1)[1].split(";")[0].strip('"'), "BOUNDARY")


def json_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: bodies equal as parsed JSON (or as text when not JSON; multipart boundaries aside)."""
    a, b = _boundary_free(r1, _to_text(r1.body)), _boundary_free(r2, _to_text(r2.body))
    try:
        equal = json.loads(a or "null") == json.loads(b or "null")
    except ValueError:
        equal = a == b
    if not equal:
        raise AssertionError("request bodies differ")


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items() if k.lower() not in DROPPED_RESPONSE_HEADERS}
    return response


def vcr_kwargs() -> dict[str, Any]:
    """Settings shared by pytest-recording (``vcr_config``) and the recording scripts."""
    return {
        "cassette_library_dir": str(CASSETTES),
        "serializer": "yaml",
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "filter_headers": SECRET_HEADERS,
        "decode_compressed_response": True,
        "before_record_response": _scrub_response,
    }


def register(vcr: Any) -> None:
    vcr.register_serializer("yaml", ReadableJSONSerializer)  # replaces vcrpy's: same extension, safe loading
    vcr.register_matcher("json_body", json_body)
