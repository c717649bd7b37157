"""Issue 11: every numeric field of every form reads numbers as the user types them.

Each form of the platform is instantiated; every numeric field must be a locale field
(type=text, inputmode=decimal, no localised min/max attributes) and reads a number typed
in Vietnamese (1.234,5) and English (1,234.5) as the same value.  Listings and RECP
measures are also saved and read back from the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from eiphub.core.numbers import format_number
from eiphub.testing import make_world
from eiphub.web.numbers import LocaleDecimalField, LocaleFloatField, LocaleIntegerField

pytestmark = pytest.mark.django_db
LOCALE = (LocaleDecimalField, LocaleFloatField, LocaleIntegerField)


def all_forms(w):
    from eiphub.exchange.forms import AgreementForm, InvestorForm, ListingForm, RecordForm
    from eiphub.flows.grid import GridForm, build_rows
    from eiphub.networks.forms import HeatStudyForm, ScenarioForm, WaterStudyForm
    from eiphub.recp.forms import MeasureForm, SavingForm
    from eiphub.registry.models import Enterprise

    return {
        "listing": ListingForm(),
        "agreement": AgreementForm(),
        "record": RecordForm(),
        "investor": InvestorForm(),
        "measure": MeasureForm(enterprises=Enterprise.objects.all()),
        "saving": SavingForm(),
        "scenario": ScenarioForm(user=w.users["ministry"]),
        "water": WaterStudyForm(),
        "heat": HeatStudyForm(),
        "grid": GridForm(rows=build_rows(w.e1, dt.date(2024, 3, 1))),
    }


def _value_for(field) -> Decimal:
    lo = getattr(field, "min_value", None)
    hi = getattr(field, "max_value", None)
    v = Decimal("1234.5")
    if isinstance(field, LocaleIntegerField) or getattr(field, "decimal_places", None) == 0:
        v = Decimal(1234)
    if hi is not None and v > hi:
        v = Decimal(str(hi)) * Decimal("0.5")
        v = v.quantize(Decimal(1)) if isinstance(field, LocaleIntegerField) else v
    if lo is not None and v < lo:
        v = Decimal(str(lo))
    return v


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_numeric_field_reads_locale_numbers(lang):
    w = make_world()
    w.users = {str(k): v for k, v in w.users.items()}
    checked = 0
    with translation.override(lang):
        for name, form in all_forms(w).items():
            for fname, field in form.fields.items():
                if isinstance(field.widget, forms.HiddenInput):
                    continue
                if isinstance(field, forms.DecimalField | forms.FloatField | forms.IntegerField):
                    assert isinstance(field, LOCALE), f"{name}.{fname} is not a locale field"
                    html = str(form[fname])
                    assert 'type="text"' in html and 'inputmode="decimal"' in html, html
                    assert " min=" not in html and " max=" not in html
                    v = _value_for(field)
                    places = 0 if v == v.to_integral_value() else 1
                    text = format_number(float(v), lang, places, trim=False)
                    got = field.clean(text)
                    assert Decimal(str(got)) == v, (name, fname, text, got)
                    checked += 1
    assert checked >= 20


@pytest.mark.parametrize("lang, typed", [("vi", "120,5"), ("en", "120.5")])
def test_listing_and_measure_store_what_was_typed(lang, typed):
    from eiphub.exchange.forms import ListingForm
    from eiphub.exchange.models import Listing
    from eiphub.recp.forms import MeasureForm
    from eiphub.recp.models import Measure
    from eiphub.registry.models import Enterprise

    w = make_world()
    with translation.override(lang):
        form = ListingForm(
            {
                "kind": "offer",
                "resource": "waste.ash.fly",
                "quantity": typed,
                "unit": "t",
                "period": "year",
                "recurring": "on",
                "disclosure": "blind",
                "status": "draft",
                "price_vnd_per_unit": "-1.500" if lang == "vi" else "-1,500",
            },  # fmt: skip
            instance=Listing(enterprise=w.e1),
        )
        assert form.is_valid(), form.errors
        pk = form.save().pk
        assert Listing.objects.get(pk=pk).quantity == 120.5
        assert Listing.objects.get(pk=pk).price_vnd_per_unit == -1500
        form = MeasureForm(
            {
                "enterprise": w.e1.pk,
                "title": "Thu hồi nhiệt",
                "practice": "housekeeping",
                "status": "planned",
                "investment_vnd": "1.200.000" if lang == "vi" else "1,200,000",
                "savings_vnd_per_year": "300000",
                "co2e_t_per_year": typed,
            },  # fmt: skip
            enterprises=Enterprise.objects.all(),
        )
        assert form.is_valid(), form.errors
        m = Measure.objects.get(pk=form.save().pk)
        assert (m.investment_vnd, m.co2e_t_per_year) == (Decimal(1200000), 120.5)


def test_ambiguous_text_is_refused_with_both_readings():
    from eiphub.exchange.forms import RecordForm

    with translation.override("vi"):
        form = RecordForm({"period": "2024-03", "quantity": "1,234"})
        assert not form.is_valid()
        assert form.errors["quantity"] == [
            "“1,234” có thể hiểu theo hai cách: 1,2340 hoặc 1.234. Hãy viết rõ ràng, "
            "ví dụ 1.234 hoặc 1,2340."
        ]
