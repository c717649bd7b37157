"""Validators for Vietnamese registry identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Vietnamese enterprise tax code (mã số thuế): 10 digits, or 10 digits + "-" + 3 digits
# for a dependent unit.  The 10th digit is a check digit (weights 31,29,23,19,17,13,7,5,3).
_MST_RE = re.compile(r"^\d{10}(-\d{3})?$")
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def mst_check_digit(first9: str) -> int:
    total = sum(int(d) * w for d, w in zip(first9, _WEIGHTS, strict=True))
    return 10 - (total % 11)


def is_valid_tax_code(value: str) -> bool:
    value = (value or "").strip()
    if not _MST_RE.match(value):
        return False
    check = mst_check_digit(value[:9])
    return check < 10 and check == int(value[9])


def validate_tax_code(value: str) -> None:
    if not is_valid_tax_code(value):
        raise ValidationError(
            _("%(value)s is not a valid Vietnamese tax code (MST)."),
            code="invalid_tax_code",
            params={"value": value},
        )


def make_tax_code(serial: int, branch: int | None = None) -> str:
    """Build a valid MST from a serial number (used for fictional demo enterprises)."""
    # The 9th digit is free: distinct serials give distinct codes.
    for bump in range(10):
        first9 = f"{serial % 10**8:08d}{bump}"
        check = mst_check_digit(first9)
        if check < 10:
            code = f"{first9}{check}"
            return f"{code}-{branch:03d}" if branch else code
    raise ValueError("no valid tax code near serial")


_VSIC_RE = re.compile(r"^[A-U](\d{2}(\d{1,3})?)?$|^\d{2,5}$")


def validate_vsic(value: str) -> None:
    if not _VSIC_RE.match((value or "").strip()):
        raise ValidationError(
            _("%(value)s is not a VSIC 2018 code."), code="invalid_vsic", params={"value": value}
        )
