"""Online monitoring: stations, their parameters (series), readings, the pre-aggregated hourly
table, exceedances and alerts.

Time is stored as UTC epoch seconds (BigInteger) in the time-series tables: the same integer
arithmetic (hour = ts − ts % 3600) runs on SQLite and PostgreSQL, and the PostgreSQL reading table
is range-partitioned on it (docs/decisions.md).  Readings are keyed by (series, ts): re-sending a
reading replaces it, never duplicates it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from eiphub.registry.models import Enterprise, Park


class StationKind(models.TextChoices):
    WASTEWATER = "wastewater", _("Wastewater outlet")
    STACK = "stack", _("Stack emissions")
    AMBIENT = "ambient", _("Ambient air")


class Receiving(models.TextChoices):
    RIVER = "river", _("River or stream")
    LAKE = "lake", _("Lake or reservoir")
    COASTAL = "coastal", _("Coastal water")
    COASTAL_PROTECTED = "coastal_protected", _("Protected coastal water")


class Station(models.Model):
    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="stations")
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stations",
        help_text=_("Empty for the park's own stations (central wastewater plant, ambient)."),
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=StationKind.choices)
    column = models.CharField(_("regulation column"), max_length=4, default="B")
    receiving = models.CharField(
        _("receiving water"), max_length=20, choices=Receiving.choices, blank=True
    )
    receiving_measure = models.FloatField(
        _("receiving water flow (m³/s) or volume (million m³)"), null=True, blank=True
    )
    discharge_m3_day = models.FloatField(_("discharge flow (m³/day)"), null=True, blank=True)
    stack_flow_m3_h = models.FloatField(_("stack gas flow (m³/h)"), null=True, blank=True)
    area_class = models.PositiveSmallIntegerField(_("area class"), null=True, blank=True)
    interval_s = models.PositiveIntegerField(_("measuring interval (s)"), default=300)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    last_ts = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["park__code", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new_token(self) -> str:
        """A fresh ingestion token (shown once); only its hash is stored."""
        token = "st_" + secrets.token_urlsafe(24)
        self.token_hash = self.hash(token)
        self.save(update_fields=["token_hash"])
        return token

    def context(self) -> dict:
        return {
            "receiving": self.receiving or None,
            "receiving_measure": self.receiving_measure,
            "discharge_m3_day": self.discharge_m3_day,
            "stack_flow_m3_h": self.stack_flow_m3_h,
            "area_class": self.area_class,
        }


class Series(models.Model):
    """One parameter measured at a station."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="series")
    parameter = models.CharField(_("parameter"), max_length=30)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    range_min = models.FloatField(_("instrument range min"), null=True, blank=True)
    range_max = models.FloatField(_("instrument range max"), null=True, blank=True)
    stuck_run = models.PositiveSmallIntegerField(
        _("stuck after N equal readings"), default=12, help_text=_("0 disables the check")
    )
    last_ts = models.BigIntegerField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_flags = models.SmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "parameter"], name="mon_series_uniq")
        ]
        ordering = ["station_id", "id"]

    def __str__(self):
        return f"{self.station.code}/{self.parameter}"


class Reading(models.Model):
    """A reading as received; flagged readings are kept (flags: eiphub.core.monitoring)."""

    pk = models.CompositePrimaryKey("series", "ts")
    # no database-level foreign key: it costs ~60% of the insert time at national volume; the
    # ORM cascade (a fast DELETE by series_id) removes a series' readings (docs/decisions.md)
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    ts = models.BigIntegerField()
    value = models.FloatField()
    flags = models.SmallIntegerField(default=0)


class HourlyAverage(models.Model):
    """Sums per series and UTC hour, maintained on ingestion (pages and evaluation read these)."""

    pk = models.CompositePrimaryKey("series", "hour")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, db_index=False)
    hour = models.BigIntegerField()
    n_total = models.IntegerField()
    n_valid = models.IntegerField()
    total = models.FloatField()
    minimum = models.FloatField(null=True)
    maximum = models.FloatField(null=True)


class Exceedance(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="exceedances")
    start = models.BigIntegerField()
    end = models.BigIntegerField()
    bound = models.CharField(max_length=4)  # high / low
    limit = models.FloatField()
    peak = models.FloatField()
    mean = models.FloatField()
    periods = models.IntegerField()
    confirmed = models.BooleanField(default=False)
    pack = models.CharField(max_length=40)
    detected = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["series", "start"], name="mon_exc_series_start")]
        ordering = ["-start"]

    @property
    def duration_s(self) -> int:
        return self.end - self.start

    @property
    def magnitude(self) -> float:
        if not self.limit:
            return 0.0
        return (self.peak - self.limit) / self.limit * (1 if self.bound == "high" else -1)


class Alert(models.Model):
    """An in-app alert for a new exceedance (also e-mailed by notify_exceedance)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="alerts")
    exceedance = models.ForeignKey(
        Exceedance, on_delete=models.SET_NULL, null=True, related_name="alerts"
    )
    parameter = models.CharField(max_length=30)
    start = models.BigIntegerField()
    value = models.FloatField()
    limit = models.FloatField()
    bound = models.CharField(max_length=4)
    created = models.DateTimeField(auto_now_add=True)
    emailed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-id"]
