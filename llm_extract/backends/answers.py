"""An answer as it streams in: its token budget, its assembly from server-sent events, runaways.

Pure functions and one small class, no I/O: :mod:`llm_extract.backends.llm` reads the stream and feeds it
here line by line.

* :func:`answer_budget` gives a chunk's ``max_tokens``: a fixed margin plus a per-figure budget for
  every figure mention in the chunk, capped by the user's ``--max-tokens``. A right answer is one
  record per figure at most, so an answer that reaches its budget is running away.
* :class:`StreamAssembler` turns ``chat.completion.chunk`` events (OpenAI's streaming format, which
  vLLM, llama.cpp's server, llama-cpp-python and Ollama all speak) back into the one
  ``chat.completion`` a non-streamed request would have returned, so instructor parses and
  re-asks exactly as before.
* :func:`repeating` tells an answer that loops (the same block over and over) while it streams,
  so it is cut at once instead of at its budget.
"""

from __future__ import annotations

import json
from typing import Any

from llm_extract.figures.numbers import find_mentions

__all__ = ["BUDGET_MARGIN", "PER_FIGURE_TOKENS", "StreamAssembler", "answer_budget", "repeating"]

# One record as JSON (indicator, region, period, value, unit, growth, qualifier, evidence quote) is
# 60-110 tokens with Chinese text; a mention is one number, and a record usually holds two (value and
# growth), so this is about twice what a right answer needs.
PER_FIGURE_TOKENS = 96
BUDGET_MARGIN = 160  # the JSON frame, a <think> line, an empty answer


def answer_budget(text: str, cap: int) -> int:
    """``max_tokens`` for an answer about ``text``: margin + a budget per figure mention, at most ``cap``."""
    return min(cap, BUDGET_MARGIN + PER_FIGURE_TOKENS * len(find_mentions(text)))


# A loop: the same block written at least REPEATS times in a row and over at least MIN_RUN
# characters. A right answer never repeats a whole record verbatim (evidence quotes differ), let
# alone three times, nor writes 120 characters of one short block.
MAX_PERIOD = 400
REPEATS = 3
MIN_RUN = 120


def repeating(text: str) -> bool:
    """Whether ``text`` ends in a loop: a block written ``REPEATS`` times in a row (or a long run of a short one)."""
    n = len(text)
    for period in range(1, min(MAX_PERIOD, n // 2) + 1):
        times = max(REPEATS, -(-MIN_RUN // period))
        if period * times > n:
            continue
        unit = text[n - period :]
        if text.endswith(unit * times):
            return True
    return False


class StreamAssembler:
    """Collects streamed ``chat.completion.chunk`` events into one ``chat.completion``.

    :meth:`feed` takes one line of the event stream and says whether it carried part of the
    answer (text, tool-call arguments or reasoning): the caller's silence clock restarts only
    then, not on keep-alive comments.
    """

    def __init__(self) -> None:
        self.id = ""
        self.model = ""
        self.created = 0
        self.role = "assistant"
        self.content: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None
        self.pieces = 0  # answer-bearing events: about one token each on every server measured
        self.done = False
        self.error: Any = None
        self._tail: list[str] = []  # the answer's text so far (content and arguments), for loop checks

    def feed(self, line: str) -> bool:
        """Take one line of the stream; True when it carried part of the answer."""
        if not line.startswith("data:"):
            return False  # blank separators, ``: ping`` comments, ``event:`` names
        data = line[5:].strip()
        if data == "[DONE]":
            self.done = True
            return False
        try:
            event = json.loads(data)
        except ValueError:
            return False
        if not isinstance(event, dict):
            return False
        if "error" in event and not event.get("choices"):
            self.error = event["error"]
            return False
        self.id = self.id or str(event.get("id") or "")
        self.model = self.model or str(event.get("model") or "")
        self.created = self.created or int(event.get("created") or 0)
        if isinstance(event.get("usage"), dict):
            self.usage = event["usage"]
        progress = False
        for choice in event.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])
            if delta.get("role"):
                self.role = str(delta["role"])
            text = delta.get("content")
            if isinstance(text, str) and text:
                self.content.append(text)
                self._grow(text)
                progress = True
            for key in ("reasoning_content", "reasoning"):
                if isinstance(delta.get(key), str) and delta[key]:
                    progress = True
            for call in delta.get("tool_calls") or []:
                progress = self._tool_delta(call) or progress
        if progress:
            self.pieces += 1
        return progress

    def _tool_delta(self, call: dict[str, Any]) -> bool:
        slot = self.tool_calls.setdefault(
            int(call.get("index") or 0), {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
        )
        if call.get("id"):
            slot["id"] = call["id"]
        if call.get("type"):
            slot["type"] = call["type"]
        function = call.get("function") or {}
        if function.get("name"):
            slot["function"]["name"] += function["name"]
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            slot["function"]["arguments"] += arguments
            self._grow(arguments)
            return True
        return bool(function.get("name"))

    def _grow(self, text: str) -> None:
        self._tail.append(text)

    @property
    def text(self) -> str:
        """Everything the answer has said so far (content, then tool arguments, in arrival order)."""
        if len(self._tail) > 1:
            self._tail = ["".join(self._tail)]
        return self._tail[0] if self._tail else ""

    def completion(self, *, finish_reason: str | None = None, usage: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``chat.completion`` the stream amounts to (``finish_reason`` overrides the stream's own)."""
        message: dict[str, Any] = {"role": self.role, "content": "".join(self.content) if self.content else None}
        finish = finish_reason or self.finish_reason or "stop"
        if self.tool_calls:
            message["tool_calls"] = [self.tool_calls[i] for i in sorted(self.tool_calls)]
        return {
            "id": self.id or "chatcmpl-stream",
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": self.usage or usage or {"prompt_tokens": 0, "completion_tokens": self.pieces,
                                             "total_tokens": self.pieces},
        }  # fmt: skip
