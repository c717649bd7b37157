"""Licence rules of the licensed-handler directory (core/licences.py)."""

import datetime as dt

from eiphub.core import licences as L

TODAY = dt.date(2026, 6, 1)


def test_waste_codes_normalised():
    assert L.normalise_waste_code("120605") == "12 06 05"
    assert L.normalise_waste_code("12-06-05") == "12 06 05"
    assert L.normalise_waste_code("12.06.05*") == "12 06 05"
    assert L.normalise_waste_code("12 06") == "12 06"
    assert L.normalise_waste_code("1206051") is None
    assert L.normalise_waste_code("dầu thải") is None
    assert L.parse_waste_codes("12 06 05; 17-02-03, 12 06 05 | x1") == (
        ("12 06 05", "17 02 03"),
        ("x1",),
    )


def test_coverage_by_chapter_and_group():
    assert L.covers(["12 06"], "12 06 05")
    assert L.covers(["17"], "17 02 03")
    assert L.covers(["12 06 05"], "120605")
    assert not L.covers(["12 06 05"], "12 06 06")
    assert not L.covers(["12 0"], "12 06 05")  # not a code boundary
    assert not L.covers([], "12 06 05")


def test_validity():
    assert L.licence_state(None, dt.date(2026, 6, 1), TODAY) == L.VALID  # last day counts
    assert L.licence_state(None, dt.date(2026, 5, 31), TODAY) == L.EXPIRED
    assert L.licence_state(dt.date(2026, 6, 2), dt.date(2030, 1, 1), TODAY) == L.NOT_YET


def test_activities_and_headings():
    assert L.parse_activities("Thu gom, vận chuyển, xử lý") == ("collect", "transport", "treat")
    assert L.parse_activities("Recycling") == ("recycle",)
    assert L.handler_field("Số giấy phép") == "licence_number"
    assert L.handler_field("Mã CTNH") == "waste_codes"
    assert L.handler_field("Valid until") == "valid_to"
    assert L.handler_field("Ghi chú") is None


def test_what_the_matcher_requires_and_holders_hold():
    assert L.offer_requires("12 06 05", True) == {"licensed_handler", "ctnh:12 06 05"}
    assert L.offer_requires("", True) == {"licensed_handler"}
    assert L.offer_requires("12 06 05", False) == frozenset()
    valid = (("12 06",), ("treat",), None, dt.date(2027, 1, 1))
    expired = (("17 02 03",), ("treat",), None, dt.date(2026, 1, 1))
    transport_only = (("19 06 01",), ("transport",), None, dt.date(2027, 1, 1))
    held = L.holder_licences(
        [valid, expired, transport_only], ["12 06 05", "17 02 03", "19 06 01"], TODAY
    )
    assert held == {"hazardous_waste", "licensed_handler", "ctnh:12 06 05"}
    assert L.holder_licences([expired], ["17 02 03"], TODAY) == frozenset()
    # the offer's requirement is met exactly when the holder covers the code
    assert L.offer_requires("12 06 05", True) <= held
    assert not L.offer_requires("17 02 03", True) <= held
