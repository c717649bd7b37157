"""The redaction filter of negotiation messages (core/redaction.py): Vietnamese phone
numbers, e-mail and web addresses, tax codes, the firm's own names and address."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.core.redaction import MARK, redact

NAMES = ["Công ty TNHH Nhựa Bình Minh (minh họa)", "Binh Minh Plastics Co., Ltd", "0301234567"]
ADDRESSES = ["Lô C2-5, đường số 3"]


@pytest.mark.parametrize(
    "text,kind,gone",
    [
        ("Gọi 0912 345 678 nhé", "phone", "345 678"),
        ("SĐT: 0912.345.678", "phone", "345.678"),
        ("ĐT 0912-345-678", "phone", "345-678"),
        ("Liên hệ +84 912 345 678", "phone", "912 345"),
        ("hotline +84-28-3823-4567", "phone", "3823"),
        ("+84 (0) 912 345 678", "phone", "912 345"),
        ("0084912345678", "phone", "912345678"),
        ("84 912 345 678", "phone", "912 345"),
        ("(028) 3823 4567", "phone", "3823 4567"),
        ("024.3826.1234", "phone", "3826"),
        ("zalo 0987654321", "phone", "0987654321"),
        ("MST: 0301234567", "tax_code", "0301234567"),
        ("mã số thuế 0301234567-001", "tax_code", "0301234567"),
        ("Mã số thuế: 0100109106", "tax_code", "0100109106"),
        ("tax code 3600123456001", "tax_code", "3600123456"),
        ("viết cho ban.hang@nhuabm.com.vn", "email", "nhuabm"),
        ("email: sales (at) binhminh [dot] vn", "email", "binhminh"),
        ("xem https://nhuabinhminh.vn/san-pham", "url", "nhuabinhminh"),
        ("xem www.nhuabinhminh.com.vn", "url", "nhuabinhminh"),
        ("trang nhuabinhminh.vn", "url", "nhuabinhminh"),
        ("zalo.me/g/abcd", "url", "zalo.me"),
        ("Chúng tôi là Nhựa Bình Minh", "name", "Bình Minh"),
        ("chung toi la NHUA BINH MINH", "name", "BINH MINH"),
        ("from Binh Minh Plastics", "name", "Binh Minh Plastics"),
        ("kho ở Lô C2-5, đường số 3", "address", "C2-5"),
    ],
)
def test_removes_contact_details(text, kind, gone):
    r = redact(text, names=NAMES, addresses=ADDRESSES)
    assert gone not in r.text
    assert MARK in r.text
    assert kind in r.kinds
    assert any(gone in x.text or x.text in text for x in r.removed)


@pytest.mark.parametrize(
    "text",
    [
        "Đề xuất 300 tấn/năm, giá 5.500.000 đồng/tấn",
        "Giá 1.250.000.000 đồng/năm, độ ẩm 12,5 %",
        "Giao từ 01/03/2025 đến 31/12/2025, 2 chuyến/tuần",
        "Price 5,500,000 VND per t; 0.5 t per load",
        "Mã CTNH 12 06 05, EWC 19 08 11*",
        "Nhựa PET sạch, độ ẩm < 2 %",
    ],
)
def test_keeps_ordinary_figures(text):
    r = redact(text, names=NAMES, addresses=ADDRESSES)
    assert r.text == text and r.removed == ()


MOBILE_PREFIXES = [
    "32",
    "33",
    "35",
    "38",
    "39",
    "70",
    "77",
    "81",
    "86",
    "90",
    "91",
    "94",
    "96",
    "97",
    "98",
]


@st.composite
def vn_phone(draw):
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=7))
    digits = prefix + rest  # 9 digits after the trunk 0 / +84
    sep = draw(st.sampled_from(["", " ", ".", "-"]))
    groups = (
        [digits[:3], digits[3:6], digits[6:]]
        if draw(st.booleans())
        else [digits[:2], digits[2:5], digits[5:]]
    )
    body = sep.join(groups)
    lead = draw(st.sampled_from(["0", "+84 ", "+84", "0084 ", "(+84) "]))
    if lead == "0":
        return "0" + body, digits
    return lead + body, digits


FILLER = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Zs"), max_codepoint=0x1EF9),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(before=FILLER, phone=vn_phone(), after=FILLER)
def test_no_phone_survives(before, phone, after):
    text, digits = phone
    r = redact(f"{before} {text} {after}")
    assert digits not in re.sub(r"\D", "", r.text)
    assert "phone" in r.kinds


@settings(max_examples=200, deadline=None)
@given(
    user=st.from_regex(r"[a-z][a-z0-9._]{1,12}", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9-]{2,12}", fullmatch=True),
    tld=st.sampled_from(["vn", "com.vn", "com", "net.vn", "org"]),
    before=FILLER,
)
def test_no_email_survives(user, domain, tld, before):
    r = redact(f"{before} {user}@{domain}.{tld} cảm ơn")
    assert "@" not in r.text and f"{domain}.{tld}" not in r.text


@settings(max_examples=200, deadline=None)
@given(
    code=st.from_regex(r"[0-9][1-9][0-9]{8}", fullmatch=True),
    branch=st.one_of(st.just(""), st.from_regex(r"-[0-9]{3}", fullmatch=True)),
    label=st.sampled_from(["MST", "MST:", "Mã số thuế", "mã số thuế:", "tax code", ""]),
)
def test_no_tax_code_survives(code, branch, label):
    r = redact(f"{label} {code}{branch} nhé")
    assert code not in r.text


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_idempotent_and_never_longer_in_digits(text):
    """Redacting twice removes nothing more; no digit is ever added."""
    once = redact(text, names=NAMES, addresses=ADDRESSES)
    twice = redact(once.text, names=NAMES, addresses=ADDRESSES)
    assert twice.text == once.text
    assert len(re.sub(r"\D", "", once.text)) <= len(re.sub(r"\D", "", text))


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(NAMES[:2]),
    case=st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    strip_marks=st.booleans(),
)
def test_own_name_in_any_case_or_without_diacritics(name, case, strip_marks):
    import unicodedata

    shown = case(name)
    if strip_marks:
        shown = (
            "".join(
                c for c in unicodedata.normalize("NFD", shown) if unicodedata.category(c) != "Mn"
            )
            .replace("đ", "d")
            .replace("Đ", "D")
        )
    r = redact(f"Xin chào, đây là {shown}.", names=NAMES)
    assert "binh minh" not in r.text.lower().replace("ì", "i")
    assert "name" in r.kinds
