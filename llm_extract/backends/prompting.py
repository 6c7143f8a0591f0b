"""Prompt templates: Jinja files under ``prompts/``, shipped in the wheel as ``llm_extract.prompts``.

A template pair ``NAME_system.jinja`` / ``NAME_user.jinja`` becomes the chat messages. Article
text never enters a message string: the messages stay template source, and the chunk and its
article context reach the model only through instructor's ``context`` (rendered once, by
instructor), so ``{{``, ``{%`` or ``{#`` inside an article are sent as written. Variables a
template may use are :data:`VARIABLES`; any other is a :class:`TemplateError` before any call.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import jinja2
from jinja2 import meta

from llm_extract.errors import TemplateError

__all__ = ["VARIABLES", "PromptTemplate", "load_template"]

VARIABLES = frozenset({"chunk", "title", "year", "region", "doc_id"})


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    """The system and user message templates of one prompt, and their content hash."""

    name: str
    system: str
    user: str

    @property
    def hash(self) -> str:
        """sha256 of both templates (12 hex digits), recorded with every output record."""
        digest = hashlib.sha256(f"{self.system}\x00{self.user}".encode()).hexdigest()
        return digest[:12]

    def messages(self) -> list[dict[str, str]]:
        """Chat messages as template source; instructor renders them with the call's context."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def render(self, **context: object) -> list[dict[str, str]]:
        """The messages as the model will see them (for dry runs and tests), rendered strictly."""
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        return [
            {"role": m["role"], "content": env.from_string(m["content"]).render(**context)} for m in self.messages()
        ]


def _check(name: str, part: str, source: str) -> None:
    try:
        parsed = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"prompt {name} ({part}): {exc.message} at line {exc.lineno}") from None
    unknown = meta.find_undeclared_variables(parsed) - VARIABLES
    if unknown:
        raise TemplateError(
            f"prompt {name} ({part}) uses undeclared variables {sorted(unknown)}; allowed: {sorted(VARIABLES)}"
        )
    if part == "user" and "chunk" not in meta.find_undeclared_variables(parsed):
        raise TemplateError(f"prompt {name} ({part}) never shows the article: it must use {{{{ chunk }}}}")


def load_template(name: str = "extract") -> PromptTemplate:
    """Load ``NAME_system.jinja`` and ``NAME_user.jinja`` from the package (or a directory path)."""
    parts: dict[str, str] = {}
    for part in ("system", "user"):
        filename = f"{name}_{part}.jinja"
        try:
            if "/" in name or "\\" in name:
                with open(f"{name}_{part}.jinja", encoding="utf-8") as fh:
                    parts[part] = fh.read()
            else:
                parts[part] = resources.files("llm_extract.prompts").joinpath(filename).read_text(encoding="utf-8")
        except (FileNotFoundError, OSError) as exc:
            raise TemplateError(f"prompt {name}: cannot read {filename} ({exc})") from None
        _check(name, part, parts[part])
    return PromptTemplate(name=name, system=parts["system"], user=parts["user"])
