"""Resource-efficient and cleaner production (RECP) measures: vocabulary, the measure record,
the check of claimed savings against monitored monthly flows, and avoided CO2e.

Claimed-vs-observed rule (:func:`claimed_vs_observed`): the month of implementation is a
transition month and is left out.  The ``window_months`` months before it form the baseline
and the ``window_months`` months after it the reporting period; each needs at least
``min_coverage`` of its months reported.  Without production data the observed saving is
(mean monthly use before - mean monthly use after) x 12.  With production reported (monthly
output, any unit, same unit throughout), use is normalised: specific use before and after
(sum of use / sum of output over months reporting both), and the observed saving is
(specific before - specific after) x annualised output after, i.e. what the post-period output
would have used at the baseline rate.  ratio = observed / claimed; within 1 +/- ``tolerance``
it is consistent, below overclaimed, above underclaimed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eiphub.core.errors import CodedError

from .catalogue import Catalogue, default_catalogue
from .factors import DEFAULT_SECTOR, FactorSet
from .finance import simple_payback
from .ghg import ActivityRecord, Avoided, avoided_emissions
from .numbers import format_number
from .units import UnitError

PRACTICES: dict[str, tuple[str, str]] = {
    "good_housekeeping": ("Quản lý nội vi tốt", "Good housekeeping"),
    "input_substitution": ("Thay thế nguyên liệu đầu vào", "Input material substitution"),
    "better_process_control": ("Kiểm soát quá trình tốt hơn", "Better process control"),
    "equipment_modification": ("Cải tiến thiết bị", "Equipment modification"),
    "technology_change": ("Thay đổi công nghệ", "Technology change"),
    "onsite_recovery_reuse": ("Thu hồi và tái sử dụng tại chỗ", "On-site recovery and reuse"),
    "useful_byproducts": ("Sản xuất sản phẩm phụ hữu ích", "Production of useful by-products"),
    "product_modification": ("Cải tiến sản phẩm", "Product modification"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "identified": ("Đã xác định", "Identified"),
    "planned": ("Đã lập kế hoạch", "Planned"),
    "implemented": ("Đã thực hiện", "Implemented"),
    "verified": ("Đã kiểm chứng", "Verified"),
}
IMPLEMENTED = ("implemented", "verified")
CHECK_STATUSES = ("consistent", "overclaimed", "underclaimed", "insufficient_data")


def label(vocabulary: Mapping[str, tuple[str, str]], code: str, lang: str = "vi") -> str:
    vi, en = vocabulary[code]
    return en if lang.startswith("en") else vi


class RecpError(CodedError, ValueError):
    """A bad RECP input; ``code`` names why."""


@dataclass(frozen=True)
class Saving:
    """Annual saving of one resource (positive = less used / less generated)."""

    resource_code: str
    quantity: float
    unit: str


@dataclass
class Measure:
    id: str
    enterprise_id: str
    title: str
    practice: str
    status: str = "identified"
    resources: tuple[str, ...] = ()
    identified_on: dt.date | None = None
    planned_on: dt.date | None = None
    implemented_on: dt.date | None = None
    verified_on: dt.date | None = None
    investment_vnd: float = 0.0
    savings: tuple[Saving, ...] = ()
    savings_vnd_per_year: float = 0.0
    co2e_t_per_year: float | None = None  # as claimed by the assessor; None = compute
    assessed_by: str = ""

    def __post_init__(self):
        if self.practice not in PRACTICES:
            raise RecpError("unknown_practice", f"unknown RECP practice {self.practice!r}",
                            practice=self.practice)  # fmt: skip
        if self.status not in STATUSES:
            raise RecpError("unknown_status", f"unknown status {self.status!r}", status=self.status)
        if self.status in IMPLEMENTED and self.implemented_on is None:
            raise RecpError("missing_date", f"measure {self.id}: implemented without a date",
                            measure=self.id)  # fmt: skip
        if self.investment_vnd < 0:
            raise RecpError("negative_investment", f"measure {self.id}: negative investment",
                            measure=self.id)  # fmt: skip
        self.savings = tuple(self.savings)
        if not self.resources:
            self.resources = tuple(dict.fromkeys(s.resource_code for s in self.savings))

    @property
    def implemented(self) -> bool:
        return self.status in IMPLEMENTED

    @property
    def payback_years(self) -> float | None:
        return simple_payback(self.investment_vnd, self.savings_vnd_per_year)

    @property
    def reference_year(self) -> int | None:
        """Year the measure counts in: implementation year if implemented, else the year it
        was identified (or planned)."""
        d = self.implemented_on if self.implemented else (self.identified_on or self.planned_on)
        return d.year if d else None

    def saving(self, resource_code: str) -> Saving | None:
        return next((s for s in self.savings if s.resource_code == resource_code), None)


def measure_co2e(
    measure: Measure,
    factors: FactorSet | None = None,
    year: int | None = None,
    catalogue: Catalogue | None = None,
    *,
    sector: str = DEFAULT_SECTOR,
    latest_grid: bool = False,
) -> Avoided:
    """tCO2e/yr avoided by the measure's savings in ``year`` (default: reference year)."""
    year = year or measure.reference_year
    if year is None:
        raise RecpError("missing_date", f"measure {measure.id}: no year to take factors from")
    return avoided_emissions(
        ((s.resource_code, s.quantity, s.unit) for s in measure.savings),
        year,
        factors,
        catalogue,
        sector=sector,
        latest_grid=latest_grid,
        entity_id=measure.enterprise_id,
    )


# -- claimed vs observed --------------------------------------------------------------------


Month = tuple[int, int]


def _shift(month: Month, n: int) -> Month:
    idx = month[0] * 12 + (month[1] - 1) + n
    return (idx // 12, idx % 12 + 1)


def monthly_series(
    records: Iterable[ActivityRecord],
    entity_id: str,
    resource_code: str,
    catalogue: Catalogue | None = None,
    direction: str = "in",
) -> dict[Month, float]:
    """Monthly quantities of ``resource_code`` (and its sub-resources) used by ``entity_id``,
    in the catalogue's canonical unit.  Records without a month are skipped."""
    catalogue = catalogue or default_catalogue()
    out: dict[Month, float] = {}
    for r in records:
        if (
            r.entity_id == entity_id
            and r.month
            and r.direction == direction
            and catalogue.is_a(r.resource_code, resource_code)
        ):
            q = catalogue.to_canonical(r.resource_code, r.quantity, r.unit)
            out[(r.year, r.month)] = out.get((r.year, r.month), 0.0) + q
    return out


@dataclass
class Check:
    measure_id: str
    resource_code: str | None
    claimed: float | None
    observed: float | None
    ratio: float | None
    status: str
    unit: str = ""
    normalised: bool = False
    baseline_months: list[Month] = field(default_factory=list)
    reporting_months: list[Month] = field(default_factory=list)
    explanation_vi: str = ""
    explanation_en: str = ""

    def explanation(self, lang: str = "vi") -> str:
        return self.explanation_en if lang.startswith("en") else self.explanation_vi


def claimed_vs_observed(
    measure: Measure,
    monthly_flows: Mapping[Month, float] | Mapping[str, Mapping[Month, float]],
    production: Mapping[Month, float] | None = None,
    window_months: int = 12,
    tolerance: float = 0.25,
    *,
    resource_code: str | None = None,
    min_coverage: float = 0.75,
    catalogue: Catalogue | None = None,
) -> Check:
    """Compare the measure's claimed annual saving of one resource with the change observed in
    the monthly flows (see the module docstring).  ``monthly_flows`` maps (year, month) to use
    in the resource's canonical unit, or resource code -> such a mapping.  The resource is
    ``resource_code`` or else the measure's first saving."""
    catalogue = catalogue or default_catalogue()
    saving = measure.saving(resource_code) if resource_code else next(iter(measure.savings), None)
    code = saving.resource_code if saving else resource_code
    check = Check(measure.id, code, None, None, None, "insufficient_data")

    def insufficient(en: str, vi: str) -> Check:
        check.explanation_en, check.explanation_vi = en, vi
        return check

    if saving is None:
        return insufficient("The measure claims no saving for this resource.",
                            "Giải pháp không công bố mức tiết kiệm cho tài nguyên này.")  # fmt: skip
    res = catalogue.get(code)
    if res is None or res.unit is None:
        return insufficient(f"Resource {code} is not a catalogue resource.",
                            f"Tài nguyên {code} không có trong danh mục.")  # fmt: skip
    check.unit = res.unit
    try:
        claimed = catalogue.to_canonical(code, saving.quantity, saving.unit)
    except UnitError as exc:
        return insufficient(f"Claimed saving unit problem: {exc}",
                            f"Đơn vị của mức tiết kiệm không hợp lệ: {exc}")  # fmt: skip
    check.claimed = claimed
    if not measure.implemented:
        return insufficient("The measure is not implemented yet.",
                            "Giải pháp chưa được thực hiện.")  # fmt: skip
    if claimed <= 0:
        return insufficient("The claimed saving is not positive.",
                            "Mức tiết kiệm công bố không dương.")  # fmt: skip
    flows = monthly_flows
    if flows and isinstance(next(iter(flows)), str):
        flows = flows.get(code, {})  # type: ignore[union-attr]
    start = (measure.implemented_on.year, measure.implemented_on.month)
    before = [_shift(start, -k) for k in range(window_months, 0, -1)]
    after = [_shift(start, k) for k in range(1, window_months + 1)]
    need = max(1, math.ceil(min_coverage * window_months - 1e-9))

    def usable(months):
        if production is None:
            return [m for m in months if flows.get(m) is not None]
        return [m for m in months if flows.get(m) is not None and (production.get(m) or 0) > 0]

    b, a = usable(before), usable(after)
    check.baseline_months, check.reporting_months = b, a
    if len(b) < need or len(a) < need:
        return insufficient(
            f"Not enough monthly data: {len(b)} baseline and {len(a)} reporting months of "
            f"{window_months}, at least {need} each needed.",
            f"Không đủ số liệu tháng: {len(b)} tháng trước và {len(a)} tháng sau khi thực hiện "
            f"(trên {window_months}), cần ít nhất {need} tháng mỗi giai đoạn.",
        )
    if production is None:
        observed = (sum(flows[m] for m in b) / len(b) - sum(flows[m] for m in a) / len(a)) * 12
    else:
        sec_before = sum(flows[m] for m in b) / sum(production[m] for m in b)
        sec_after = sum(flows[m] for m in a) / sum(production[m] for m in a)
        output_after = sum(production[m] for m in a) / len(a) * 12
        observed = (sec_before - sec_after) * output_after
        check.normalised = True
    ratio = observed / claimed
    check.observed, check.ratio = observed, ratio
    if ratio < 1 - tolerance:
        check.status = "overclaimed"
    elif ratio > 1 + tolerance:
        check.status = "underclaimed"
    else:
        check.status = "consistent"
    basis_en = " (normalised by production)" if check.normalised else ""
    basis_vi = " (đã chuẩn hóa theo sản lượng)" if check.normalised else ""
    verdict_en = {
        "consistent": "consistent with the claim",
        "overclaimed": "smaller than claimed: the claim looks overstated",
        "underclaimed": "larger than claimed: the claim looks understated",
    }[check.status]
    verdict_vi = {
        "consistent": "phù hợp với mức công bố",
        "overclaimed": "thấp hơn mức công bố: mức tiết kiệm có thể bị khai cao",
        "underclaimed": "cao hơn mức công bố: mức tiết kiệm có thể bị khai thấp",
    }[check.status]
    check.explanation_en = (
        f"Claimed {format_number(claimed, 'en')} {res.unit}/yr; "
        f"observed {format_number(observed, 'en')} {res.unit}/yr"
        f"{basis_en} from {len(b)} months before and {len(a)} months after "
        f"{measure.implemented_on:%m/%Y} (ratio {ratio:.2f}, tolerance ±{tolerance:.0%}): "
        f"{verdict_en}."
    )
    check.explanation_vi = (
        f"Công bố {format_number(claimed)} {res.unit}/năm; "
        f"quan trắc {format_number(observed)} {res.unit}/năm"
        f"{basis_vi} từ {len(b)} tháng trước và {len(a)} tháng sau {measure.implemented_on:%m/%Y}"
        f" (tỷ lệ {format_number(ratio, decimals=2, trim=False)}, sai số cho phép ±{tolerance:.0%}): {verdict_vi}."
    )
    return check


def check_all(
    measure: Measure,
    monthly_flows: Mapping[str, Mapping[Month, float]],
    production: Mapping[Month, float] | None = None,
    **kwargs,
) -> list[Check]:
    """One :class:`Check` per claimed saving of the measure."""
    return [
        claimed_vs_observed(
            measure, monthly_flows, production, resource_code=s.resource_code, **kwargs
        )
        for s in measure.savings
    ]
