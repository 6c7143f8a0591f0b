"""The LLM backend's scheduling pieces, on their own: template rendering and turn-taking.

Whole-batch behaviour (concurrency, caps, caching) is tested against the scripted endpoint in
``test_batch.py``; speed is measured in ``scripts/bench_batch.py``.
"""

from __future__ import annotations

import asyncio
import textwrap

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from instructor.core.exceptions import InstructorRetryException
from instructor.v2.core import templating
from instructor.v2.core.errors import FailedAttempt
from jinja2.sandbox import SandboxedEnvironment

from llm_extract.backends import llm
from llm_extract.backends.llm import _CallState, _Turns


def instructors_rendering(text: str, context: dict[str, object]) -> str:
    """What instructor's ``apply_template`` does on every call (instructor 2.x)."""
    return textwrap.dedent(SandboxedEnvironment().from_string(text).render(**context))


def inside_a_call(function, *args):
    token = llm._STATE.set(_CallState(max_attempts=1))
    try:
        return function(*args)
    finally:
        llm._STATE.reset(token)


def test_the_compiled_template_rendering_is_installed():
    # If instructor changed and the probes disagreed, nothing would be replaced and requests would
    # silently cost the template compile again: this test says so.
    assert getattr(templating.apply_template, "_llm_extract", False)


# Message texts as instructor sees them: indentation, blank lines, braces and the JSON Schema.
texts = st.lists(
    st.sampled_from(["  ", "\t", "\n", "\n\n", '{"a": [1, 2]}', "说明：", "{{ chunk }}", "{{ title or '' }}", "x"]),
    max_size=12,
).map("".join)
# Article text goes only into the context; template syntax in it must stay literal.
values = st.lists(st.sampled_from([*"{}%#ab 亿元\n\t ", "{{", "}}", "{%", "%}", "{#"]), max_size=20).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=texts, chunk=values, title=st.one_of(st.none(), values))
def test_rendering_inside_a_call_equals_instructors(text, chunk, title):
    context = {"chunk": chunk, "title": title}
    assert inside_a_call(templating.apply_template, text, context) == instructors_rendering(text, context)


def test_outside_a_call_instructors_own_rendering_runs_and_nothing_is_cached():
    def lookups() -> int:
        info = llm._compiled.cache_info()
        return info.hits + info.misses

    before = lookups()
    text = "独立调用 {{ v }} 的模板"
    assert templating.apply_template(text, {"v": 1}) == "独立调用 1 的模板"
    assert lookups() == before
    inside_a_call(templating.apply_template, text, {"v": 1})
    assert lookups() == before + 1


def test_turns_are_first_come_first_served_one_per_loop_iteration():
    async def scenario() -> tuple[list[str], list[int]]:
        turns = _Turns()
        order: list[str] = []
        ticks = 0
        stamps: list[int] = []

        def tick() -> None:  # counts loop iterations
            nonlocal ticks
            ticks += 1
            if ticks < 50:
                asyncio.get_running_loop().call_soon(tick)

        async def step(name: str) -> None:
            await turns.wait()
            order.append(name)
            stamps.append(ticks)

        asyncio.get_running_loop().call_soon(tick)
        await asyncio.gather(*(step(n) for n in "abcde"))
        return order, stamps

    order, stamps = asyncio.run(scenario())
    assert order == list("abcde")
    assert len(set(stamps)) == 5  # no two steps in the same loop iteration


def test_a_cancelled_waiter_gives_its_turn_to_the_next():
    async def scenario() -> list[str]:
        turns = _Turns()
        done: list[str] = []

        async def step(name: str) -> None:
            await turns.wait()
            done.append(name)

        tasks = [asyncio.create_task(step(n)) for n in "abc"]
        await asyncio.sleep(0)  # all three are waiting
        tasks[1].cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=2)
        await asyncio.wait_for(step("d"), timeout=2)  # and the queue still serves newcomers
        return done

    assert asyncio.run(scenario()) == ["a", "c", "d"]


def test_the_first_calls_of_a_batch_share_one_client_and_one_limit():
    # Building the client awaits (platform detection); calls arriving meanwhile must wait for it,
    # not build clients of their own, each with its own in-flight limit.
    from llm_extract.backends.llm import LLMBackend
    from llm_extract.settings import Settings

    backend = LLMBackend(Settings(base_url="http://127.0.0.1:9/v1", model="m"), concurrency=2)
    builds = 0
    build = backend._build_client

    async def counted() -> None:
        nonlocal builds
        builds += 1
        await build()

    backend._build_client = counted  # type: ignore[method-assign]

    async def first_calls() -> None:
        await asyncio.gather(*(backend._setup() for _ in range(6)))

    try:
        backend.run(first_calls())
        assert builds == 1
        assert backend._limit is not None and backend._client is not None
    finally:
        backend.close()


def test_records_is_required_on_the_wire_and_an_empty_list_is_a_valid_answer():
    model = llm.response_model_for(llm.EconomicIndicator)
    assert "records" in model.model_json_schema()["required"]
    assert model.model_validate({"records": []}).records == []
    with pytest.raises(pydantic.ValidationError):
        model.model_validate({})  # not schema-valid any more, so it is re-asked, not taken for "no figures"


def test_a_failed_chunk_gives_one_plain_reason_not_instructors_dump():
    model = llm.response_model_for(llm.EconomicIndicator)
    try:
        model.model_validate({"records": [{"indicator": "GDP", "value": "很多"}]})
    except pydantic.ValidationError as exc:
        error = exc
    attempts = [FailedAttempt(n, error, "{...}") for n in (1, 2, 3)]
    exc = InstructorRetryException("gave up", n_attempts=3, total_usage=0, failed_attempts=attempts)
    reason = llm._last_reason(exc)
    assert "<failed_attempts>" in str(exc)  # what instructor would have printed
    assert (
        reason
        == "records.0.value: Input should be a valid number, unable to parse string as a number (and 1 more problems)"
    )
