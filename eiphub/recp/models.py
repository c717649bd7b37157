"""RECP (resource efficiency and cleaner production) measures per enterprise."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eiphub.web.validation import validate_vnd


class Practice(models.TextChoices):
    HOUSEKEEPING = "housekeeping", _("Good housekeeping")
    INPUT_SUBSTITUTION = "input_substitution", _("Input substitution")
    PROCESS_CONTROL = "process_control", _("Better process control")
    EQUIPMENT = "equipment", _("Equipment modification")
    TECHNOLOGY = "technology", _("Technology change")
    ONSITE_RECOVERY = "onsite_recovery", _("On-site recovery and reuse")
    BYPRODUCT = "byproduct", _("Production of useful by-products")
    PRODUCT = "product", _("Product modification")


class Status(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    PLANNED = "planned", _("Planned")
    IMPLEMENTED = "implemented", _("Implemented")
    VERIFIED = "verified", _("Verified")


class Measure(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="recp_measures"
    )
    title = models.CharField(max_length=255)
    practice = models.CharField(max_length=30, choices=Practice.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    identified_on = models.DateField(null=True, blank=True)
    implemented_on = models.DateField(null=True, blank=True)
    investment_vnd = models.DecimalField(
        max_digits=20, decimal_places=0, default=0, validators=[validate_vnd]
    )
    savings = models.JSONField(
        default=dict, blank=True, help_text="{resource_code: quantity per year (canonical unit)}"
    )
    savings_vnd_per_year = models.DecimalField(
        max_digits=20, decimal_places=0, default=0, validators=[validate_vnd]
    )
    co2e_t_per_year = models.FloatField(null=True, blank=True)
    assessed_by = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    # Optimistic concurrency (issue 18): an edit names the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["enterprise", "-implemented_on"]
        constraints = [
            # issue 18: the database rejects what validation missed (eiphub.core.bounds)
            models.CheckConstraint(
                condition=models.Q(investment_vnd__gte=0, investment_vnd__lte=10**15),
                name="measure_investment_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(savings_vnd_per_year__gte=0, savings_vnd_per_year__lte=10**15),
                name="measure_savings_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(practice__in=Practice.values), name="measure_practice_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="measure_status_valid"
            ),
        ]

    @property
    def simple_payback_years(self):
        if not self.savings_vnd_per_year:
            return None
        return float(self.investment_vnd) / float(self.savings_vnd_per_year)
