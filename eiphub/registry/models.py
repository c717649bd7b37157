"""Registry: provinces, organisations, parks, shared infrastructure, enterprises."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_tax_code, validate_vsic


class Province(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        DEVELOPER = "developer", _("Park infrastructure developer")
        ENTERPRISE = "enterprise", _("Enterprise")
        BOARD = "board", _("Management board")
        MINISTRY = "ministry", _("Ministry")
        CONSULTANT = "consultant", _("Consultant")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    tax_code = models.CharField(max_length=14, blank=True)
    province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Park(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPERATING = "operating", _("Operating")

    class EcoStatus(models.TextChoices):
        NONE = "none", _("Not an EIP")
        TRANSFORMING = "transforming", _("Transforming into an EIP")
        REGISTERED_NEW = "registered_new", _("Registered as a new EIP")
        CERTIFIED = "certified", _("Certified EIP")
        REVOKED = "revoked", _("Certificate revoked")

    code = models.CharField(max_length=20, unique=True)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="parks")
    developer = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="parks"
    )
    total_area_ha = models.DecimalField(max_digits=10, decimal_places=2)
    industrial_land_ha = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    green_area_ha = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    occupancy_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    established_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPERATING)
    eco_status = models.CharField(max_length=20, choices=EcoStatus.choices, default=EcoStatus.NONE)
    certificate_number = models.CharField(max_length=60, blank=True)
    certificate_issued_on = models.DateField(null=True, blank=True)
    certificate_valid_to = models.DateField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    boundary_geojson = models.JSONField(null=True, blank=True)
    illustrative = models.BooleanField(default=False, help_text="Fictional demo data")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name_vi}"

    def name(self, lang="vi"):
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi

    @property
    def green_share(self):
        if self.green_area_ha is None or not self.total_area_ha:
            return None
        return float(self.green_area_ha) / float(self.total_area_ha)


class SharedFacility(models.Model):
    """Park-level shared infrastructure: central WWTP, rooftop solar, shared boiler, ..."""

    class Kind(models.TextChoices):
        WWTP = "wwtp", _("Central wastewater treatment plant")
        SOLAR = "solar", _("Rooftop solar")
        BOILER = "boiler", _("Shared boiler / steam")
        COLLECTION = "collection", _("Waste collection hub")
        OTHER = "other", _("Other")

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="facilities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    capacity = models.FloatField(null=True, blank=True, help_text="m3/day for WWTP, kWp for solar")
    capacity_unit = models.CharField(max_length=20, blank=True)
    discharge_standard = models.CharField(
        max_length=100, blank=True, help_text="e.g. QCVN 40:2011/BTNMT column A"
    )
    commissioned_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["park", "kind", "name"]

    def __str__(self):
        return f"{self.park.code} — {self.name}"


class EnterpriseQuerySet(models.QuerySet):
    def bulk_update(self, objs, fields, *args, **kwargs):
        """A bulk tenancy change (``park`` in ``fields``) moves the enterprises' flow rows too."""
        objs = list(objs)
        n = super().bulk_update(objs, fields, *args, **kwargs)
        if {"park", "park_id"} & set(fields):
            from eiphub.flows.signals import enterprises_moved

            enterprises_moved([o.pk for o in objs])
        return n


class Enterprise(models.Model):
    class Size(models.TextChoices):
        SME = "sme", _("SME")
        LARGE = "large", _("Large")

    class Ownership(models.TextChoices):
        FDI = "fdi", _("Foreign-invested (FDI)")
        DOMESTIC = "domestic", _("Domestic")

    tax_code = models.CharField(max_length=14, unique=True, validators=[validate_tax_code])
    name_vi = models.CharField(max_length=255)
    name_en = models.CharField(max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="enterprises"
    )
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="enterprises")
    plot = models.CharField(max_length=40, blank=True)
    vsic = models.CharField("VSIC 2018", max_length=6, validators=[validate_vsic])
    size = models.CharField(max_length=10, choices=Size.choices, default=Size.SME)
    ownership = models.CharField(
        max_length=10, choices=Ownership.choices, default=Ownership.DOMESTIC
    )
    workers_total = models.PositiveIntegerField(null=True, blank=True)
    workers_female = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Social facts used by form B.5 (None = not reported)
    has_grievance_procedure = models.BooleanField(null=True, blank=True)
    publishes_information = models.BooleanField(null=True, blank=True)
    gender_equality_practice = models.BooleanField(null=True, blank=True)
    anti_harassment_rules = models.BooleanField(null=True, blank=True)
    revenue_vnd = models.DecimalField(max_digits=20, decimal_places=0, null=True, blank=True)
    value_added_vnd = models.DecimalField(max_digits=20, decimal_places=0, null=True, blank=True)
    publish_flows = models.BooleanField(
        default=False,
        help_text="Allow other enterprises of the park to see this enterprise's flows",
    )
    illustrative = models.BooleanField(default=False)
    archived_on = models.DateField(
        null=True,
        blank=True,
        help_text="Left its park or closed: kept with its history, counted for the years it was there",
    )

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name_vi"]
        indexes = [models.Index(fields=["park", "vsic"])]

    def __str__(self):
        return self.name_vi

    def has_history(self) -> bool:
        """Flows, agreements, measures, declarations or reports refer to this enterprise."""
        from eiphub.exchange.models import Agreement
        from eiphub.flows.models import FlowRecord

        return (
            FlowRecord.objects.filter(enterprise=self).exists()
            or Agreement.objects.filter(models.Q(supplier=self) | models.Q(receiver=self)).exists()
            or self.recp_measures.exists()
        )

    def delete(self, *args, **kwargs):
        """Refused when the enterprise has history: archive it instead
        (:func:`eiphub.registry.services.archive_enterprise`)."""
        if self.has_history():
            raise EnterpriseHasHistory(self)
        return super().delete(*args, **kwargs)

    def name(self, lang="vi"):
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi


class EnterpriseHasHistory(models.ProtectedError):
    """Deleting an enterprise with flows, agreements or measures would delete its history."""

    def __init__(self, enterprise):
        super().__init__(
            f"{enterprise} has recorded history; archive it (left the park or closed) instead",
            {enterprise},
        )
        self.code = "enterprise_has_history"


class Tenancy(models.Model):
    """One period of an enterprise in a park (park membership history).  ``entered`` None:
    in the park since before records began; ``left`` None: still there.  An enterprise
    without any tenancy row is taken as a tenant of ``Enterprise.park`` in every year."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tenancies")
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="tenancies")
    entered = models.DateField(null=True, blank=True)
    left = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "entered"]
        verbose_name_plural = "tenancies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left__isnull=True)
                | models.Q(entered__isnull=True)
                | models.Q(left__gte=models.F("entered")),
                name="tenancy_left_after_entered",
            )
        ]

    def __str__(self):
        return f"{self.enterprise} @ {self.park.code} {self.entered or '…'}–{self.left or ''}"


class Certificate(models.Model):
    class Standard(models.TextChoices):
        ISO14001 = "ISO 14001", "ISO 14001"
        ISO50001 = "ISO 50001", "ISO 50001"
        ISO45001 = "ISO 45001", "ISO 45001"
        ISO9001 = "ISO 9001", "ISO 9001"
        OTHER = "other", _("Other")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="certificates"
    )
    standard = models.CharField(max_length=20, choices=Standard.choices)
    other_name = models.CharField(max_length=100, blank=True)
    number = models.CharField(max_length=60, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField()

    class Meta:
        ordering = ["enterprise", "standard"]

    def is_valid_on(self, day):
        return self.valid_from <= day <= self.valid_to
