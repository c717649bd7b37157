"""Network planning records: optimised exchange-network scenarios, water and heat studies.

A scenario keeps a snapshot of its inputs (listings and candidate links as they were
when it was solved), so it can be read and compared later even when the marketplace
has moved on.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Objective(models.TextChoices):
    BENEFIT = "benefit", _("Maximise net economic benefit")
    CO2 = "co2", _("Maximise tCO2e avoided")
    WEIGHTED = "weighted", _("Weighted: benefit + carbon price × tCO2e")


class Scenario(models.Model):
    class Status(models.TextChoices):
        DONE = "done", _("Solved")
        FAILED = "failed", _("Failed")

    name = models.CharField(max_length=200)
    park = models.ForeignKey(
        "registry.Park", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    province = models.ForeignKey(
        "registry.Province", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    objective = models.CharField(max_length=10, choices=Objective.choices)
    parameters = models.JSONField(default=dict, blank=True)
    inputs = models.JSONField(default=dict, blank=True, help_text="Listings and links snapshot")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    solver_status = models.CharField(max_length=30, blank=True)
    message = models.TextField(blank=True)
    gap = models.FloatField(null=True, blank=True)
    build_s = models.FloatField(default=0)
    solve_s = models.FloatField(default=0)
    objective_value = models.FloatField(null=True, blank=True)
    benefit_vnd_per_year = models.FloatField(default=0)
    co2e_t_per_year = models.FloatField(default=0)
    summary = models.JSONField(default=dict, blank=True, help_text="Cost split, greedy baseline")
    chosen_links = models.JSONField(default=list, blank=True)
    pareto = models.JSONField(null=True, blank=True)
    sensitivity = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(park__isnull=False) | models.Q(province__isnull=False),
                name="scenario_has_scope",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def scope_label(self) -> str:
        return self.park.code if self.park_id else str(self.province)


class WaterStudy(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded limiting data")
        DEMO = "demo", _("Illustrative default")

    park = models.ForeignKey("registry.Park", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    inputs = models.JSONField(default=list, help_text="Limiting data: one dict per process")
    inter_plant = models.BooleanField(default=True)
    freshwater_ppm = models.FloatField(default=0)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.name


class HeatStudy(models.Model):
    park = models.ForeignKey("registry.Park", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    inputs = models.JSONField(default=list, help_text="Streams: one dict per source or sink")
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.name
