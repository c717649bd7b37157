from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eiphub.core.numbers import NumberError, format_input, format_number, parse_number

D = Decimal


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("120,5", "vi", D("120.5")),
        ("120.5", "en", D("120.5")),
        ("1.234,5", "vi", D("1234.5")),
        ("1.234,5", "en", D("1234.5")),  # only one reading
        ("1,234.5", "en", D("1234.5")),
        ("1,234.5", "vi", D("1234.5")),
        ("1.234", "vi", D("1234")),  # Vietnamese thousands
        ("1,234", "en", D("1234")),
        ("1.234.567", "en", D("1234567")),
        ("1,234,567", "vi", D("1234567")),
        ("0,125", "vi", D("0.125")),
        ("1.5", "vi", D("1.5")),  # "." cannot be grouping here: one reading
        ("12,34", "en", D("12.34")),
        ("-3,5", "vi", D("-3.5")),
        ("1 234,5", "vi", D("1234.5")),
        ("\u22122", "en", D("-2")),
        ("42", "vi", D("42")),
        (420.0, "vi", D("420.0")),
        (7, "en", D("7")),
    ],
)
def test_reads_what_the_user_meant(text, lang, expected):
    assert parse_number(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "readings"),
    [("1,234", "vi", (D("1.234"), D("1234"))), ("1.234", "en", (D("1.234"), D("1234")))],
)
def test_ambiguous_input_is_refused_with_both_readings(text, lang, readings):
    with pytest.raises(NumberError) as info:
        parse_number(text, lang)
    assert info.value.code == "ambiguous"
    assert info.value.readings == readings


@pytest.mark.parametrize(
    "text", ["", "  ", "abc", "1.23.4", "1,2,3", "1.234,5,6", "--1", "1e", "nan", "inf", "1..2"]
)
def test_not_numbers(text):
    with pytest.raises(NumberError) as info:
        parse_number(text, "vi")
    assert info.value.code in ("empty", "invalid")


def test_format_number_unchanged():
    assert format_number(1234.5, "vi") == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"


def test_format_input_never_ambiguous():
    assert format_input(D("1.234"), "vi") == "1,2340"
    assert format_input(D("1.234"), "en") == "1.2340"
    assert format_input(D("1234.5"), "vi") == "1.234,5"
    assert format_input(D("120.500000"), "vi") == "120,5"
    assert format_input(D("2025"), "vi") == "2.025"


decimals = st.decimals(
    min_value=D("-1e12"), max_value=D("1e12"), allow_nan=False, allow_infinity=False, places=6
)


@given(decimals, st.sampled_from(["vi", "en"]))
def test_round_trip(value, lang):
    """What the platform puts in an input box reads back as the same value."""
    assert parse_number(format_input(value, lang), lang) == value


@given(decimals, st.sampled_from(["vi", "en"]))
def test_grouped_text_of_either_language_reads_back(value, lang):
    text = format_number(float(value), lang, 2, trim=False)
    try:
        got = parse_number(text, lang)
    except NumberError as exc:
        pytest.fail(f"{text!r} refused: {exc}")
    assert got == D(f"{float(value):.2f}")
