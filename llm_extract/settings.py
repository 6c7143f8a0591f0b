"""Settings: one value object, read from the environment in exactly one function.

============================  =========================  ==========================================
environment variable          CLI flag                   meaning
============================  =========================  ==========================================
``LLM_EXTRACT_BASE_URL``      ``--base-url``             OpenAI-compatible endpoint (``…/v1``)
``LLM_EXTRACT_API_KEY``       ``--api-key``              key; falls back to ``OPENAI_API_KEY``
``LLM_EXTRACT_MODEL``         ``--model``                model name the endpoint serves
``LLM_EXTRACT_MODE``          ``--mode``                 instructor mode (default: by endpoint)
``LLM_EXTRACT_MAX_RETRIES``   ``--max-retries``          re-asks after a failed validation (2)
``LLM_EXTRACT_TIMEOUT``       ``--timeout``              seconds to wait for an answer to start (60)
``LLM_EXTRACT_SILENCE_TIMEOUT`` ``--silence-timeout``    seconds a started answer may pause (30)
``LLM_EXTRACT_STREAM``        ``--stream/--no-stream``   stream answers (on; ``0`` turns it off)
``LLM_EXTRACT_CHUNK_TOKENS``  ``--chunk-tokens``         token budget of one chunk (600)
``LLM_EXTRACT_MAX_TOKENS``    ``--max-tokens``           cap on one answer's token budget (4096)
``LLM_EXTRACT_TRANSPORT_RETRIES`` ``--transport-retries`` HTTP retries of 429/5xx/timeouts/resets (4)
============================  =========================  ==========================================

The API key is a :class:`SecretStr`: it never shows in ``repr``, logs or files.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

from llm_extract.errors import ConfigError

__all__ = ["MODES", "SecretStr", "Settings", "default_mode"]

MODES = ("tools", "json_schema", "json", "md_json")


class SecretStr:
    """A string that prints as ``'**********'``; ``get()`` returns the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._value else "SecretStr('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:  # pickling would write the key: refuse
        raise TypeError("SecretStr cannot be pickled")


def default_mode(base_url: str | None) -> str:
    """The instructor mode that works with an endpoint (NOTES §4): see the README table."""
    url = (base_url or "").lower()
    if "api.openai.com" in url or not url:
        return "tools"
    # DeepSeek needs JSON mode. vLLM, llama-server, Ollama and llama-cpp-python's server all take
    # plain JSON (response_format json_object); llama-cpp-python rejects json_schema, and with tools
    # a small local model answered an empty list where JSON mode gave the figures (measured).
    return "json"


# A model served on this machine or the local network (Ollama, llama.cpp's server, llama-cpp-python,
# vLLM on a workstation) often runs on CPU: one request at a time, about a minute an answer on two
# cores (measured with llama-cpp-python), so such endpoints get their own defaults.
LOCAL_TIMEOUT = 600.0
LOCAL_SILENCE = 120.0  # a CPU model shared with other work can pause between tokens for long
LOCAL_CONCURRENCY = 1
REMOTE_CONCURRENCY = 8


def is_local(base_url: str | None) -> bool:
    """Whether ``base_url`` points at this machine or a private network (loopback, 10/8, 172.16/12,
    192.168/16, link-local, ``*.local``, ``host.docker.internal``)."""
    if not base_url:
        return False
    host = (urlsplit(base_url).hostname or "").lower()
    if host in {"localhost", "host.docker.internal"} or host.endswith((".local", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


@dataclass(frozen=True)
class Settings:
    """Everything that decides how the LLM backend calls an endpoint."""

    base_url: str | None = None
    api_key: SecretStr = field(default_factory=lambda: SecretStr(""))
    model: str = "gpt-4o-mini"
    mode: str | None = None
    max_retries: int = 2
    timeout: float = 60.0
    chunk_tokens: int = 600
    transport_retries: int = 4
    max_tokens: int = 4096
    silence_timeout: float = 30.0
    stream: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.api_key, str):  # Settings(api_key="sk-...") is allowed; it is wrapped at once
            object.__setattr__(self, "api_key", SecretStr(self.api_key))
        if self.mode is not None and self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}: use one of {', '.join(MODES)}")
        if self.max_retries < 0:
            raise ConfigError("max_retries must be 0 or more")
        if self.timeout <= 0:
            raise ConfigError("timeout must be positive")
        if self.silence_timeout <= 0:
            raise ConfigError("silence_timeout must be positive")
        if self.chunk_tokens < 50:
            raise ConfigError("chunk_tokens must be at least 50")
        if self.max_tokens < 16:
            raise ConfigError("max_tokens must be at least 16")

    @property
    def effective_mode(self) -> str:
        return self.mode or default_mode(self.base_url)

    @property
    def local(self) -> bool:
        """Whether the endpoint is on this machine or a private network (see :func:`is_local`)."""
        return is_local(self.base_url)

    @property
    def default_concurrency(self) -> int:
        """Requests in flight when none is asked for: one for a local endpoint, else eight."""
        return LOCAL_CONCURRENCY if self.local else REMOTE_CONCURRENCY

    @property
    def configured(self) -> bool:
        """Whether an endpoint is set (a base URL, or a key for the default OpenAI endpoint)."""
        return bool(self.base_url) or bool(self.api_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``LLM_EXTRACT_*`` variables; ``overrides`` (CLI flags) win when not None."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        key = env.get("LLM_EXTRACT_API_KEY") or env.get("OPENAI_API_KEY") or ""
        values["api_key"] = SecretStr(key)
        if env.get("LLM_EXTRACT_BASE_URL"):
            values["base_url"] = env["LLM_EXTRACT_BASE_URL"]
        if env.get("LLM_EXTRACT_MODEL"):
            values["model"] = env["LLM_EXTRACT_MODEL"]
        if env.get("LLM_EXTRACT_MODE"):
            values["mode"] = env["LLM_EXTRACT_MODE"].lower()
        for name, var, conv in (
            ("max_retries", "LLM_EXTRACT_MAX_RETRIES", int),
            ("timeout", "LLM_EXTRACT_TIMEOUT", float),
            ("chunk_tokens", "LLM_EXTRACT_CHUNK_TOKENS", int),
            ("max_tokens", "LLM_EXTRACT_MAX_TOKENS", int),
            ("transport_retries", "LLM_EXTRACT_TRANSPORT_RETRIES", int),
            ("silence_timeout", "LLM_EXTRACT_SILENCE_TIMEOUT", float),
        ):
            if env.get(var):
                try:
                    values[name] = conv(env[var])
                except ValueError:
                    raise ConfigError(f"{var}={env[var]!r} is not a number") from None
        if env.get("LLM_EXTRACT_STREAM"):
            flag = env["LLM_EXTRACT_STREAM"].strip().lower()
            if flag not in {"0", "1", "true", "false", "yes", "no", "on", "off"}:
                raise ConfigError(f"LLM_EXTRACT_STREAM={env['LLM_EXTRACT_STREAM']!r}: use 1 or 0")
            values["stream"] = flag in {"1", "true", "yes", "on"}
        known = {f.name for f in fields(cls)}
        for name, value in overrides.items():
            if name not in known:
                raise ConfigError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = SecretStr(value) if name == "api_key" and isinstance(value, str) else value
        if "timeout" not in values and is_local(values.get("base_url")):
            values["timeout"] = LOCAL_TIMEOUT  # a CPU model takes minutes; its answer is not re-sent
        if "silence_timeout" not in values and is_local(values.get("base_url")):
            values["silence_timeout"] = LOCAL_SILENCE
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)
