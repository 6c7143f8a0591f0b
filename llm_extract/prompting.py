"""Prompt templates: Jinja files under ``prompts/``, shipped in the wheel as ``llm_extract.prompts``.

A template pair ``NAME_system.jinja`` / ``NAME_user.jinja`` becomes the chat messages. Article
text is never template source: the templates are compiled once (in Jinja's sandbox) and the
chunk and its article context are passed to them as *values*, so ``{{``, ``{%`` or ``{#`` inside
an article are sent as written. The rendered messages go to instructor without a templating
``context``, so nothing renders them a second time (NOTES: instructor's Jinja trap). Variables
a template may use are :data:`VARIABLES`; any other is a :class:`TemplateError` before any call.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

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
        """Chat messages as template source (unrendered)."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def render(self, **context: object) -> list[dict[str, str]]:
        """The messages as the model sees them: each template rendered with ``context`` as values.

        Every name in :data:`VARIABLES` is defined (``None`` when not given); the compiled
        templates are cached, so a call costs a render, not a compile.
        """
        values = dict.fromkeys(VARIABLES) | context
        return [
            {"role": "system", "content": _compiled(self.system).render(values)},
            {"role": "user", "content": _compiled(self.user).render(values)},
        ]


_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


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
