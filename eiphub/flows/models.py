"""Monthly input/output flow records of enterprises and shared park facilities."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("Input")
    OUT = "out", _("Output")


class Origin(models.TextChoices):
    NONE = "", "—"
    PURCHASED = "purchased", _("Purchased")
    OWN = "own", _("Own source / self-generated")
    OTHER_ENTERPRISE = "other_enterprise", _("From another enterprise")


class Fate(models.TextChoices):
    NONE = "", "—"
    REUSED = "reused", _("Reused / recycled")
    ENERGY_RECOVERY = "energy_recovery", _("Energy recovery")
    TREATMENT = "treatment", _("Treatment")
    LANDFILL = "landfill", _("Landfill")
    DISCHARGE = "discharge", _("Discharge")
    SOLD = "sold", _("Sold / given to a named receiver")


class DataQuality(models.TextChoices):
    MEASURED = "measured", _("Measured")
    INVOICE = "invoice", _("Invoice")
    ESTIMATED = "estimated", _("Estimated")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    filename = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, default="flows")
    rows = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    # Progress of an import running in the background (see flows/views_io.py).
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.DONE)
    stage = models.CharField(max_length=10, blank=True, default="")
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]


class FlowRecord(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="flows"
    )
    facility = models.ForeignKey(
        "registry.SharedFacility",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flows",
    )
    resource_code = models.CharField(max_length=80, db_index=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    period = models.DateField(help_text="First day of the month")
    quantity = models.DecimalField(max_digits=20, decimal_places=6, help_text="As entered")
    unit = models.CharField(max_length=20, help_text="As entered")
    quantity_canonical = models.FloatField()
    canonical_unit = models.CharField(max_length=20)
    origin = models.CharField(max_length=20, choices=Origin.choices, blank=True, default="")
    fate = models.CharField(max_length=20, choices=Fate.choices, blank=True, default="")
    counterparty = models.ForeignKey(
        "registry.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Supplier (inputs from another enterprise) or receiver (outputs sold)",
    )
    data_quality = models.CharField(
        max_length=10, choices=DataQuality.choices, default=DataQuality.MEASURED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["period", "resource_code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False, facility__isnull=True))
                | (Q(enterprise__isnull=True, facility__isnull=False)),
                name="flow_owner_exactly_one",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="flow_quantity_non_negative"),
            # --- issue 18: the database rejects what validation missed (eiphub.core.bounds) ---
            models.CheckConstraint(condition=Q(quantity__lte=10**12), name="flow_quantity_bounded"),
            models.CheckConstraint(
                condition=Q(period__gte="2000-01-01", period__lte="2100-12-31"),
                name="flow_period_in_range",
            ),
            models.CheckConstraint(condition=Q(fate__in=Fate.values), name="flow_fate_valid"),
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="flow_origin_valid"),
            models.CheckConstraint(
                condition=Q(data_quality__in=DataQuality.values), name="flow_data_quality_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="flow_direction_valid"
            ),
            models.UniqueConstraint(
                fields=["enterprise", "resource_code", "direction", "period", "origin", "fate"],
                condition=Q(enterprise__isnull=False),
                name="flow_unique_enterprise_row",
            ),
            models.UniqueConstraint(
                fields=["facility", "resource_code", "direction", "period", "origin", "fate"],
                condition=Q(facility__isnull=False),
                name="flow_unique_facility_row",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "period"]),
            models.Index(fields=["facility", "period"]),
        ]

    @property
    def owner(self):
        return self.enterprise or self.facility
