"""Property tests (hypothesis): cleaning on arbitrary Unicode, the number grammar round trip, and
verification accepting generated true claims and rejecting generated wrong ones. The chunker's
properties are in ``test_chunking.py``."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from llm_extract.figures.numbers import find_mentions, parse_unit
from llm_extract.figures.verify import Source, verify
from llm_extract.text.cleaning import DEFAULT_CHAIN, Step, clean
from llm_extract.types import Claim, Kind

# Pieces real pages are made of, so generated text also exercises each cleaning step.
FRAGMENTS = [
    "全市完成固定资产投资68.6亿元，同比增长11.0%。", "當前位置：首頁 > 新聞", "xīn wén ", "?jiān)", "（责编：张三）",
    "2023年05月01日 来源:示例日报", "規模以上工業增加值增長5.2%", "\u3000\u3000", "\r\n", "\n\n\n", "\t", " ",
    "😀", "\x00", "\x1b[0m", "\u200b", "\ufeff", "１２３４．５亿元", "百分之十二点五", "<b>", "{{ chunk }}", "{#",
]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=400),  # any code point hypothesis draws, control characters and surrogates aside
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=60).map("".join),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=8), st.integers(500, 3000)),  # very long lines
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_cleaning_never_raises_and_its_offset_map_stays_valid(raw):
    cleaned = clean(raw)
    index, text = cleaned.index, cleaned.text
    assert len(index) == len(text) <= len(raw)
    assert all(0 <= i < len(raw) for i in index)
    assert all(a < b for a, b in itertools.pairwise(index))  # strictly increasing: deletions only
    for i, ch in enumerate(text):
        original = raw[index[i]]
        if ch != original:  # only Traditional-to-Simplified replaces a character, and never an ASCII one
            assert not original.isascii() and not ch.isascii(), (original, ch)
    for start, end in cleaned.unreliable:
        assert 0 <= start <= end <= len(text)
    for start in range(0, len(text), max(1, len(text) // 7)):
        a, b = cleaned.to_raw(start, len(text))
        assert 0 <= a <= b <= len(raw)


_CN = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """1..9999 in Chinese numerals, as written (十五, 一百零五, 一千零五十)."""
    assert 0 < n < 10000
    out, zero = "", False
    for power, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if (power == 10 and not out and digit == 1) else _CN[digit]) + name
    return out


def fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789.,", "０１２３４５６７８９．，"))


SCALES = {"": 1.0, "万": 1e4, "亿": 1e8}
UNITS = ["元", "美元", "吨", "人", "辆", "平方米"]


@st.composite
def figures(draw: st.DrawFn) -> tuple[str, float, str, str]:
    """(written figure, its value in base units, scale, unit) in Arabic, full-width or Chinese numerals."""
    script = draw(st.sampled_from(["arabic", "grouped", "fullwidth", "chinese"]))
    scale = draw(st.sampled_from(sorted(SCALES)))
    unit = draw(st.sampled_from(sorted(UNITS)))
    if script == "chinese":
        n = draw(st.integers(1 if scale else 2, 9999))  # 一个, 一人 without a scale are idioms, not counts
        return chinese(n) + scale + unit, n * SCALES[scale], scale, unit
    cents = draw(st.integers(1, 99_999_999))
    value = cents / 100
    written = f"{value:,.2f}" if script == "grouped" else f"{value:.2f}"
    written = written.rstrip("0").rstrip(".")
    if script == "fullwidth":
        written = fullwidth(written)
    return written + scale + unit, value * SCALES[scale], scale, unit


@settings(max_examples=400, deadline=None)
@given(figures(), st.sampled_from(["全市完成投资", "该区实现", "去年共有"]))
def test_the_number_grammar_round_trips_generated_figures(figure, lead):
    written, base, _, unit = figure
    text = f"{lead}{written}，较上年有所提高。"
    mentions = [m for m in find_mentions(text) if m.kind is not Kind.BARE or m.unit]
    assert len(mentions) == 1, (text, mentions)
    m = mentions[0]
    assert m.text == written
    assert abs(m.base - base) <= 1e-9 * max(1.0, abs(base)), (text, m)
    parsed = parse_unit(m.unit)
    assert parsed is not None and parsed.kind is m.kind and m.unit.endswith(unit)


INDICATORS = ["固定资产投资", "社会消费品零售总额", "出口总额", "一般公共预算收入", "规模以上工业增加值"]


@st.composite
def sentences(draw: st.DrawFn) -> tuple[str, Claim]:
    indicator = draw(st.sampled_from(INDICATORS))
    value = draw(st.integers(1, 99_999)) / 10
    growth = draw(st.integers(-300, 300)) / 10
    assume(growth != 0)
    word = "增长" if growth > 0 else "下降"
    text = f"今年以来，全市{indicator}{value:g}亿元，同比{word}{abs(growth):g}%。其他工作稳步推进。"
    evidence = f"{indicator}{value:g}亿元，同比{word}{abs(growth):g}%"
    return text, Claim(indicator=indicator, value=value, unit="亿元", growth_pct=growth, evidence=evidence)


@settings(max_examples=300, deadline=None)
@given(sentences())
def test_verification_accepts_every_generated_true_claim(case):
    text, claim = case
    result = verify(claim, Source.of(clean(text)))
    assert result.verified, (text, claim, result.reasons)
    assert text[result.span[0] : result.span[1]] == claim.evidence


WRONG = {
    "value x10": lambda c: Claim(**{**_fields(c), "value": round(c.value * 10, 1)}),
    "value +0.1": lambda c: Claim(**{**_fields(c), "value": round(c.value + 0.1, 1)}),
    "unit 万元": lambda c: Claim(**{**_fields(c), "unit": "万元"}),
    "unit 亿美元": lambda c: Claim(**{**_fields(c), "unit": "亿美元"}),
    "growth sign": lambda c: Claim(**{**_fields(c), "growth_pct": -c.growth_pct}),
    "growth +1": lambda c: Claim(**{**_fields(c), "growth_pct": round(c.growth_pct + 1, 1)}),
    "growth as value": lambda c: Claim(**{**_fields(c), "value": abs(c.growth_pct), "growth_pct": None}),
    "evidence elsewhere": lambda c: Claim(**{**_fields(c), "value": round(c.value + 7, 1), "evidence": None}),
}


def _fields(claim: Claim) -> dict:
    return {name: getattr(claim, name) for name in Claim.__slots__}


@settings(max_examples=300, deadline=None)
@given(sentences(), st.sampled_from(sorted(WRONG)))
def test_verification_rejects_generated_wrong_claims(case, how):
    text, claim = case
    wrong = WRONG[how](claim)
    assume(wrong != claim)
    if how == "growth as value":  # the figure may happen to stand in the text as a level too
        assume(abs(claim.growth_pct) != claim.value)
    result = verify(wrong, Source.of(clean(text)))
    assert not result.verified, (how, text, wrong)


FIGURE_PIECES = [
    *"0123456789０１２３４５６７８９.．,，-－负约近超逾将接大高不至百千万亿萬億十一二两三五零〇%％元人个点分之",
    "亿元", "万美元", "个百分点", "百分之", "倍", "成", "大", "以上", "左右", "多", "余", "至少", "超过", "，", "。",
    "增长", "下降", "a", "G", " ", "第", "年", "月",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FIGURE_PIECES), max_size=30).map("".join))
def test_the_figure_scan_with_its_first_character_test_finds_the_same_matches(text):
    import re

    from llm_extract.figures import numbers

    anywhere = re.compile(numbers._FIGURE_BODY, re.VERBOSE)  # the grammar tried at every position
    expected = [(m.span(), m.groupdict()) for m in anywhere.finditer(text)]
    assert [(m.span(), m.groupdict()) for m in numbers._FIGURE.finditer(text)] == expected


def _without_ranges(step_fn):
    def plain(text):
        step = step_fn(text)
        return Step(step.text, step.index, step.unreliable)  # the map character by character only

    plain.__name__ = step_fn.__name__
    return plain


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_composing_maps_by_kept_ranges_equals_composing_them_character_by_character(raw):
    by_ranges = clean(raw)
    by_characters = clean(raw, chain=[_without_ranges(s) for s in DEFAULT_CHAIN])
    assert by_ranges.text == by_characters.text
    assert list(by_ranges.index) == list(by_characters.index)
    assert by_ranges.unreliable == by_characters.unreliable


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FIGURE_PIECES), max_size=30).map("".join))
def test_matches_skipped_for_want_of_a_unit_or_scale_are_never_figures(text):
    from llm_extract.figures import numbers

    ascii_text = numbers.to_ascii_digits(text)
    for m in numbers._FIGURE.finditer(text):
        if not numbers._has_unit_or_scale(m):
            assert numbers._mention(text, ascii_text, m) is None, m.group()
