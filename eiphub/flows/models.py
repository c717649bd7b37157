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
    PREVIEW = "preview", _("Awaiting confirmation")
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


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
    # Preview / apply / undo (flows/batches.py): every state lives in these rows.
    lang = models.CharField(max_length=5, default="vi")
    replace_months = models.BooleanField(default=False)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    registry_rows = models.JSONField(default=dict, blank=True)  # parks / enterprises to upsert
    preview = models.JSONField(default=dict, blank=True)  # counts and the first rows shown
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]


def owner_park_ids(enterprise_ids, facility_ids) -> tuple[dict, dict]:
    """({enterprise id: park id}, {facility id: park id}) in two queries."""
    from eiphub.registry.models import Enterprise, SharedFacility

    ents = dict(Enterprise.objects.filter(pk__in=set(enterprise_ids)).values_list("pk", "park_id"))
    facs = dict(
        SharedFacility.objects.filter(pk__in=set(facility_ids)).values_list("pk", "park_id")
    )
    return ents, facs


def _stale(keys, bulk=False):
    """Mark the stored results of the (park id, year) ``keys`` stale (eiphub/reports/stored.py)."""
    if keys:
        from eiphub.reports.stored import mark_stale

        mark_stale(keys, bulk=bulk)


class FlowRecordQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fill the denormalised ``park`` of the rows that lack it (two queries per call)."""
        objs = list(objs)
        todo = [o for o in objs if o.park_id is None]
        if todo:
            ents, facs = owner_park_ids(
                [o.enterprise_id for o in todo if o.enterprise_id],
                [o.facility_id for o in todo if o.facility_id],
            )
            for o in todo:
                o.park_id = (
                    ents.get(o.enterprise_id) if o.enterprise_id else facs.get(o.facility_id)
                )
        out = super().bulk_create(objs, *args, **kwargs)
        _stale({(o.park_id, o.period.year) for o in objs if o.park_id}, bulk=True)
        return out

    def delete(self):
        from eiphub.reports.stored import flow_keys

        keys = flow_keys(self)
        out = super().delete()
        _stale(keys, bulk=True)
        return out

    def sync_parks(self, *, bulk: bool = True) -> int:
        """Set-based repair: every row of this queryset gets its owner's park (one UPDATE per
        owner kind).  Call after writes that bypass ``save``/``bulk_create`` (raw SQL, COPY)
        and after a tenancy change; returns the number of rows written.  The (park, year)
        pairs of before and after (old and new parks) are marked stale (``bulk``: see
        :func:`eiphub.reports.stored.mark_stale`)."""
        from django.db.models import OuterRef, Subquery
        from django.db.models.functions import ExtractYear

        from eiphub.registry.models import Enterprise, SharedFacility

        keys = set()
        for old, ent, ent_park, fac_park, year in (
            self.order_by()
            .annotate(y=ExtractYear("period"))
            .values_list(
                "park_id", "enterprise_id", "enterprise__park_id", "facility__park_id", "y"
            )
            .distinct()
        ):
            keys |= {(old, year), (ent_park if ent else fac_park, year)}
        if not keys:
            return 0
        ent_park = Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values("park_id")
        fac_park = SharedFacility.objects.filter(pk=OuterRef("facility_id")).values("park_id")
        qs = self.order_by()
        n = qs.filter(enterprise__isnull=False).update(park_id=Subquery(ent_park)) + qs.filter(
            facility__isnull=False
        ).update(park_id=Subquery(fac_park))
        _stale({k for k in keys if k[0] is not None}, bulk=bulk)
        return n


class ImportRow(models.Model):
    """A validated flow row of a batch awaiting confirmation (the staging table)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="staged")
    line = models.PositiveIntegerField()
    enterprise_id = models.IntegerField(null=True)
    tax_code = models.CharField(max_length=14, blank=True, default="")  # created by the batch
    facility_id = models.IntegerField(null=True)
    resource_code = models.CharField(max_length=80)
    direction = models.CharField(max_length=3)
    period = models.DateField()
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    unit = models.CharField(max_length=20)
    quantity_canonical = models.FloatField()
    canonical_unit = models.CharField(max_length=20)
    origin = models.CharField(max_length=20, blank=True, default="")
    fate = models.CharField(max_length=20, blank=True, default="")
    counterparty_id = models.IntegerField(null=True)
    counterparty_tax = models.CharField(max_length=14, blank=True, default="")
    data_quality = models.CharField(max_length=10, default="measured")
    action = models.CharField(max_length=1, blank=True, default="")  # preview: c / u / =
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "line"])]


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
    # Denormalised park of the owner (enterprise or shared facility), so that park pages filter
    # one indexed column instead of an OR over two joins.  Kept by save(), bulk_create(),
    # the Enterprise/SharedFacility tenancy signals (eiphub/flows/signals.py) and
    # FlowRecord.objects.sync_parks() for raw writes.
    park = models.ForeignKey(
        "registry.Park", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
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
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency of edits

    objects = FlowRecordQuerySet.as_manager()

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
            # One record per owner, month, resource, direction and route (origin of an
            # input, fate of an output: a waste may be partly sold and partly landfilled).
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
            models.Index(fields=["park", "period"], name="flow_park_period"),
        ]

    def save(self, *args, **kwargs):
        owner = self.enterprise if self.enterprise_id else self.facility
        if owner is not None:
            self.park_id = owner.park_id
            fields = kwargs.get("update_fields")
            if fields is not None and "park" not in fields and "park_id" not in fields:
                kwargs["update_fields"] = [*fields, "park"]
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        keys = {(self.park_id, self.period.year)} if self.park_id else set()
        out = super().delete(*args, **kwargs)
        _stale(keys)
        return out

    @property
    def owner(self):
        return self.enterprise or self.facility


class FlowRevision(models.Model):
    """Audit trail of flow records: who changed what, when, old and new values.

    An import batch's revisions hold the previous values it overwrote: undoing
    the batch restores them (flows/batches.py)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    flow_id = models.IntegerField(db_index=True)  # no FK: the record may be deleted
    action = models.CharField(max_length=6, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    enterprise_id = models.IntegerField(null=True, db_index=True)
    facility_id = models.IntegerField(null=True)
    resource_code = models.CharField(max_length=80)
    direction = models.CharField(max_length=3)
    period = models.DateField()
    old_quantity = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    old_unit = models.CharField(max_length=20, blank=True, default="")
    old_quantity_canonical = models.FloatField(null=True)
    old_canonical_unit = models.CharField(max_length=20, blank=True, default="")
    old_origin = models.CharField(max_length=20, blank=True, default="")
    old_fate = models.CharField(max_length=20, blank=True, default="")
    old_counterparty_id = models.IntegerField(null=True)
    old_data_quality = models.CharField(max_length=10, blank=True, default="")
    old_entered_by_id = models.IntegerField(null=True)
    old_batch_id = models.IntegerField(null=True)
    old_version = models.PositiveIntegerField(null=True)
    new_quantity = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    new_unit = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["-at", "-pk"]
