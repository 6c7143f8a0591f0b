"""Request pacing shared by every request of a run: rpm/tpm caps and a run-wide pause on 429.

Before each HTTP request, :meth:`Pacer.wait` blocks until the request fits under the caps (a
sliding 60-second window of requests and of estimated tokens) and past any pause; a 429
response calls :meth:`Pacer.pause` with its ``Retry-After``, which slows *every* request of
the run, not just the one that was refused. Reported usage corrects the token estimate.
"""

from __future__ import annotations

import asyncio
import collections
import time

__all__ = ["Pacer"]

WINDOW = 60.0


class Pacer:
    """Caps of ``rpm`` requests and ``tpm`` tokens per minute (None: no cap). Loop-local."""

    def __init__(self, rpm: float | None = None, tpm: float | None = None) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self._requests: collections.deque[float] = collections.deque()
        self._tokens: collections.deque[tuple[float, int]] = collections.deque()
        self._paused_until = 0.0
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        self.pauses += 1
        self._paused_until = max(self._paused_until, time.monotonic() + max(0.0, seconds))

    def _expire(self, now: float) -> None:
        while self._requests and now - self._requests[0] >= WINDOW:
            self._requests.popleft()
        while self._tokens and now - self._tokens[0][0] >= WINDOW:
            self._tokens.popleft()

    def _delay(self, tokens: int, now: float) -> float:
        delay = max(0.0, self._paused_until - now)
        if self.rpm and len(self._requests) >= self.rpm:
            delay = max(delay, self._requests[0] + WINDOW - now)
        if self.tpm:
            used = sum(t for _, t in self._tokens)
            if used + tokens > self.tpm and self._tokens:
                delay = max(delay, self._tokens[0][0] + WINDOW - now)
        return delay

    async def wait(self, tokens: int) -> None:
        while True:
            now = time.monotonic()
            self._expire(now)
            delay = self._delay(tokens, now)
            if delay <= 0:
                self._requests.append(now)
                self._tokens.append((now, tokens))
                return
            await asyncio.sleep(min(delay, 5.0))

    def correct(self, estimated: int, actual: int) -> None:
        """Replace the newest estimate of ``estimated`` tokens by the reported ``actual``."""
        for i in range(len(self._tokens) - 1, -1, -1):
            at, tokens = self._tokens[i]
            if tokens == estimated:
                self._tokens[i] = (at, actual)
                return
