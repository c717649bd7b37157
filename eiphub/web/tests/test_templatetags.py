"""The `eip` template library: locale-aware numbers, VND, percentages, chart specs, badges."""

import html
import json
import math
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from eiphub.web.templatetags import eip


def render(source, **context):
    return engines["django"].from_string("{% load eip %}" + source).render(context)


@pytest.mark.parametrize(
    ("value", "arg", "vi", "en"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (Decimal("1234567.891"), 0, "1.234.568", "1,234,568"),
        (0.125, 2, "0,13", "0.13"),  # half up, not banker's rounding
        (2.5, 0, "3", "3"),
        (-1234.5, 1, "-1.234,5", "-1,234.5"),
        (-0.04, 1, "0,0", "0.0"),  # never "-0,0"
        (12, 2, "12,00", "12.00"),
        ("3048.72", 1, "3.048,7", "3,048.7"),  # numeric strings use Python notation
        (None, 1, "—", "—"),
        ("", 1, "—", "—"),
        ("n/a", 1, "—", "—"),
        (float("nan"), 1, "—", "—"),
        (float("inf"), 1, "—", "—"),
        (True, 1, "—", "—"),
    ],
)
def test_num_with_decimals(value, arg, vi, en):
    with translation.override("vi"):
        assert eip.num(value, arg) == vi
    with translation.override("en"):
        assert eip.num(value, arg) == en


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (1234, "1.234", "1,234"),
        (1234.5, "1.234,5", "1,234.5"),
        (0.6766, "0,68", "0.68"),
        (21875.0, "21.875", "21,875"),
        (Decimal("0.10"), "0,1", "0.1"),
    ],
)
def test_num_without_argument_drops_trailing_zeros(value, vi, en):
    with translation.override("vi"):
        assert render("{{ x|num }}", x=value) == vi
    with translation.override("en"):
        assert render("{{ x|num }}", x=value) == en


def test_num_filter_in_template_follows_active_language():
    with translation.override("vi"):
        assert render("{{ x|num:1 }} / {{ y|num:1 }}", x=1234.5, y=None) == "1.234,5 / —"
    with translation.override("en"):
        assert render("{{ x|num:1 }}", x=1234.5) == "1,234.5"


def test_vnd():
    with translation.override("vi"):
        assert eip.vnd(76_000_000_000) == "76.000.000.000 ₫"
        assert eip.vnd(1234.6) == "1.235 ₫"
        assert eip.vnd(None) == "—"
    with translation.override("en"):
        assert eip.vnd(76_000_000_000) == "76,000,000,000 VND"


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (76e9, "76,0 tỷ VND", "76.0 billion VND"),
        (207_400_000_000, "207,4 tỷ VND", "207.4 billion VND"),
        (1.5e12, "1,5 nghìn tỷ VND", "1.5 trillion VND"),
        (3_346_000, "3,3 triệu VND", "3.3 million VND"),
        (45_500, "45,5 nghìn VND", "45.5 thousand VND"),
        (-2_000_000_000, "-2,0 tỷ VND", "-2.0 billion VND"),
        (950, "950 VND", "950 VND"),
        (None, "—", "—"),
    ],
)
def test_vnd_compact(value, vi, en):
    with translation.override("vi"):
        assert eip.vnd_compact(value) == vi
    with translation.override("en"):
        assert eip.vnd_compact(value) == en


def test_vnd_compact_in_template_with_decimals_argument():
    with translation.override("vi"):
        assert render("{{ x|vnd_compact:2 }}", x=76_123_000_000) == "76,12 tỷ VND"


@pytest.mark.parametrize(
    ("value", "arg", "vi", "en"),
    [
        (0.2, None, "20,0 %", "20.0%"),
        (0.423, 1, "42,3 %", "42.3%"),
        (0.4235, 0, "42 %", "42%"),
        (1.5, 1, "150,0 %", "150.0%"),
        (Decimal("0.075"), 2, "7,50 %", "7.50%"),
        (None, 1, "—", "—"),
    ],
)
def test_pct(value, arg, vi, en):
    with translation.override("vi"):
        assert eip.pct(value, arg) == vi
    with translation.override("en"):
        assert eip.pct(value, arg) == en


def test_pct_filter_default_one_decimal():
    with translation.override("vi"):
        assert render("{{ x|pct }}", x=0.2) == "20,0 %"


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)
)
def test_num_vi_round_trips_through_locale_separators(value):
    with translation.override("vi"):
        text = eip.num(value, 2)
    assert "-0,00" not in text
    parsed = Decimal(text.replace(".", "").replace(",", "."))
    assert parsed == value
    groups = text.lstrip("-").split(",")[0].split(".")
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


def test_chart_spec_is_escaped_json_that_round_trips():
    spec = {
        "kind": "bar",
        "title": 'Nước "tái sử dụng" </script><b>',
        "unit": gettext_lazy("Home"),
        "labels": ["2022", "2023"],
        "series": [{"name": "KCN", "data": [Decimal("1.5"), float("nan"), 3, None]}],
        "horizontal": True,
    }
    with translation.override("en"):
        attr = eip.chart_spec(spec)
    assert '"' not in attr and "<" not in attr and ">" not in attr
    decoded = json.loads(html.unescape(attr))
    assert decoded["title"] == 'Nước "tái sử dụng" </script><b>'
    assert decoded["unit"] == "Home"
    assert decoded["series"][0]["data"] == [1.5, None, 3, None]
    assert decoded["horizontal"] is True
    with translation.override("en"):
        rendered = render('<div data-chart="{{ spec|chart_spec }}"></div>', spec=spec)
    assert rendered == f'<div data-chart="{attr}"></div>'  # not escaped a second time


def test_chart_spec_rejects_unencodable_values():
    with pytest.raises(TypeError, match="chart_spec cannot encode object"):
        eip.chart_json({"series": [object()]})


def test_status_badge_translated_labels():
    with translation.override("vi"):
        assert render('{% status_badge "meets" %}') == (
            '<span class="badge badge--meets" data-status="meets">Đạt</span>'
        )
        assert "Trả lại để sửa" in render("{% status_badge s %}", s="returned")
        assert ">Thiếu dữ liệu<" in render('{% status_badge "insufficient_data" %}')
    with translation.override("en"):
        assert render('{% status_badge "not_met" %}') == (
            '<span class="badge badge--not_met" data-status="not_met">Not met</span>'
        )
        assert ">Submitted<" in render('{% status_badge "submitted" %}')


def test_every_status_has_a_vietnamese_label():
    with translation.override("vi"):
        for code, english in eip.STATUS_LABELS.items():
            with translation.override("en"):
                english_text = str(english)
            assert eip.status_label(code) != english_text, code


def test_status_badge_unknown_and_missing_codes_are_escaped():
    out = render("{% status_badge s %}", s="<x>")
    assert out == '<span class="badge badge--unknown" data-status="&lt;x&gt;">&lt;x&gt;</span>'
    with translation.override("en"):
        assert render("{% status_badge s %}", s=None) == (
            '<span class="badge badge--none">No status</span>'
        )


def test_app_version_tag_matches_package():
    from eiphub import __version__

    assert render("{% app_version %}") == __version__


def test_auto_decimals_never_exceeds_two():
    for value in (math.pi, 1 / 3, 2 / 3):
        with translation.override("en"):
            assert len(eip.num(value).split(".")[1]) == 2


def test_numpy_scalars_are_numbers():
    import numpy as np

    from eiphub.web.templatetags.eip import num, pct

    with translation.override("vi"):
        assert num(np.float64(1234.5), 1) == "1.234,5"
        assert num(np.int64(7)) == "7"
        assert pct(np.float32(0.25), 0) == "25 %"
