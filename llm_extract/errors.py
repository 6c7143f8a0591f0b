"""The exception tree. Every error the package raises on purpose derives from one root:

    LLMExtractError
    ├── InputError            a file or input line that cannot become an article
    │   ├── EmptyInputError
    │   ├── BinaryInputError
    │   ├── DecodeError
    │   └── MalformedLineError
    ├── ConfigError           settings that cannot work (no endpoint, unknown mode, bad template)
    ├── TemplateError         a prompt template that is missing or names undeclared variables
    ├── CallError             the model endpoint failed after all transport retries
    └── OutputError           an output file cannot be written (disk full, read-only): the run stops

Messages name the file (and line) and say how to fix the problem.
"""

from __future__ import annotations

__all__ = [
    "BinaryInputError",
    "CallError",
    "ConfigError",
    "DecodeError",
    "EmptyInputError",
    "InputError",
    "LLMExtractError",
    "MalformedLineError",
    "OutputError",
    "TemplateError",
]


class LLMExtractError(Exception):
    """Root of every error llm-extract raises on purpose."""


class InputError(LLMExtractError):
    """An input that cannot become an article. ``source`` names the file (and line)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class EmptyInputError(InputError):
    """The file or JSONL text is empty (or only white space)."""


class BinaryInputError(InputError):
    """The file holds binary data, not text."""


class DecodeError(InputError):
    """The bytes are not UTF-8, GB18030 or Big5 text."""


class MalformedLineError(InputError):
    """A JSONL line that is not an object with a string ``text``."""


class ConfigError(LLMExtractError):
    """Settings that cannot work; the message says which setting to change."""


class TemplateError(LLMExtractError):
    """A prompt template that cannot be loaded or uses undeclared variables."""


class CallError(LLMExtractError):
    """The endpoint failed for a chunk after all retries. ``attempts`` counts requests made,
    ``runaways`` the answers cut for running past their budget or looping."""

    def __init__(self, message: str, *, attempts: int = 0, runaways: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.runaways = runaways


class OutputError(LLMExtractError):
    """An output file could not be written; articles finished before it stay done (rerun to resume)."""
