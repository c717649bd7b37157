"""Issue 14: the reports' POSTs go through forms, and numbers typed by users through the one
number parser in their language: an ambiguous "1,234" in Vietnamese is refused with a
message in Vietnamese, never read as 1.234."""

import pytest
from django.test import Client
from django.utils import translation

from eiphub.accounts.models import Role
from eiphub.reports.forms import DeclarationsForm, ReportValuesForm, ReviewForm, TargetForm
from eiphub.reports.models import ContextTarget
from eiphub.testing import make_user

from .builders import build_park

SPECS = [("N.1", "%", "vi", "en", "src"), ("B.1", "yes/no", "vi", "en", "src")]
AMBIGUOUS_VI = "có thể hiểu theo hai cách"


def _declarations(data, lang="vi"):
    with translation.override(lang):
        form = DeclarationsForm(data, specs=SPECS)
        form.is_valid()
        return form, form.error("N.1")


def test_declared_numbers_are_read_in_the_users_language():
    form, err = _declarations({"value-N.1": "1,234"})
    assert AMBIGUOUS_VI in err and "1,234" in err
    form, err = _declarations({"value-N.1": "1,234"}, lang="en")
    assert err is None and form.declared("N.1") == 1234.0
    form, err = _declarations({"value-N.1": "12,5", "value-B.1": " có "})
    assert err is None and form.declared("N.1") == 12.5 and form.declared("B.1") is True
    assert form.posted("N.1") and not _declarations({})[0].posted("N.1")


def test_declaration_stamp_tells_absent_from_empty():
    form, _err = _declarations({"value-N.1": "1", "stamp-N.1": ""})
    assert form.row("N.1") == ("", "", "")
    form, _err = _declarations({"value-N.1": "1"})
    assert form.row("N.1") == ("", "", None)


def test_report_values_refuse_ambiguous_numbers():
    rows = {"N.1": {"unit": "%"}, "B.1": {"unit": "yes/no"}}
    with translation.override("vi"):
        form = ReportValuesForm({"value-N.1": "2,500", "value-B.1": "no"}, rows=rows)
        form.is_valid()
        assert AMBIGUOUS_VI in form.error("N.1")
        assert form.new_value("B.1") is False and form.cleaned_data["version"] is None
        form = ReportValuesForm({"value-N.1": " 2.500 ", "version": "3"}, rows=rows)
        assert form.is_valid() and form.new_value("N.1") == 2500.0
        assert form.raw("N.1") == "2.500" and form.cleaned_data["version"] == "3"


def test_review_comments_per_indicator():
    form = ReviewForm(
        {"action": "return", "comment-N.1": "x" * 5000, "comment-B.1": ""}, codes=["N.1", "B.1"]
    )
    assert form.is_valid()
    assert form.indicator_comments() == {"N.1": "x" * 4000}
    assert form.cleaned_data["stamp"] is None


def test_target_threshold_form():
    with translation.override("vi"):
        form = TargetForm({"threshold": "1,234"})
        assert not form.is_valid() and AMBIGUOUS_VI in form.errors["threshold"][0]
        form = TargetForm({"threshold": "40,5"})
        assert form.is_valid() and form.cleaned_data["threshold"] == 40.5
        assert form.cleaned_data["pack_id"] is None


def _board_in_vietnamese():
    """A park and a client logged in as its province's board, in Vietnamese."""
    w = build_park()
    c = Client()
    c.force_login(make_user("board", Role.BOARD, province=w.province))
    c.cookies["django_language"] = "vi"
    return w, c


@pytest.mark.django_db
def test_target_page_refuses_an_ambiguous_threshold():
    w, c = _board_in_vietnamese()
    url = f"/reports/targets/{w.park.code}/"
    body = {
        "pack_id": "decree35_art37_eip",
        "code": "37.2.c",
        "comparison": ">=",
        "threshold": "40,125",  # vi: 40.125 or 40125
        "rationale": "Dệt may chiếm tỷ trọng lớn",
    }
    resp = c.post(url, body, HTTP_ACCEPT_LANGUAGE="vi")
    assert resp.status_code == 200
    assert AMBIGUOUS_VI in resp.content.decode()
    assert not ContextTarget.objects.filter(park=w.park).exists()
    resp = c.post(url, {**body, "threshold": "40,5"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert resp.status_code == 302
    assert ContextTarget.objects.get(park=w.park).threshold == 40.5


@pytest.mark.django_db
def test_target_page_phrases_an_out_of_range_threshold_in_vietnamese():
    w, c = _board_in_vietnamese()
    body = {
        "pack_id": "decree35_art37_eip",
        "code": "37.2.c",
        "comparison": ">=",
        "threshold": "140",  # a share in %: the accepted range is 0–100
        "rationale": "Dệt may chiếm tỷ trọng lớn",
    }
    page = c.post(f"/reports/targets/{w.park.code}/", body, HTTP_ACCEPT_LANGUAGE="vi")
    text = page.content.decode()
    assert "nằm ngoài khoảng chấp nhận 0–100" in text and "outside the accepted" not in text
    assert not ContextTarget.objects.filter(park=w.park).exists()
