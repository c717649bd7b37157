"""Project sheets (issue 15): one investment project from a symbiosis match, an agreement,
a network scenario, a RECP measure or a consultant, its appraisal inputs, its stage in the
programme pipeline (with a dated history) and its benefits claimed, observed and verified."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eiphub.web.validation import validate_vnd


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    SCREENED = "screened", _("Screened")
    FEASIBILITY = "feasibility", _("Feasibility")
    FINANCING = "financing", _("Financing")
    BUILT = "built", _("Built")
    OPERATING = "operating", _("Operating")
    ENDED = "ended", _("Ended")
    DROPPED = "dropped", _("Dropped")


# The funnel order; DROPPED is off the funnel (counted apart, with its reason).
FUNNEL = [s for s in Stage.values if s != Stage.DROPPED]


class Source(models.TextChoices):
    MATCH = "match", _("Symbiosis match")
    AGREEMENT = "agreement", _("Symbiosis agreement")
    SCENARIO = "scenario", _("Network scenario")
    RECP = "recp", _("RECP audit")
    CONSULTANT = "consultant", _("Consultant")


class Category(models.TextChoices):
    ROOFTOP_SOLAR = "rooftop_solar", _("Rooftop solar")
    RENEWABLE_ENERGY = "renewable_energy", _("Renewable energy")
    ENERGY_EFFICIENCY = "energy_efficiency", _("Energy efficiency")
    WASTE_HEAT_RECOVERY = "waste_heat_recovery", _("Waste-heat recovery")
    CENTRAL_STEAM = "central_steam", _("Central steam supply")
    WATER_REUSE = "water_reuse", _("Water reuse")
    WASTEWATER_TREATMENT = "wastewater_treatment", _("Wastewater treatment")
    WASTE_RECYCLING = "waste_recycling", _("Waste recycling")
    BYPRODUCT_EXCHANGE = "byproduct_exchange", _("By-product exchange (symbiosis)")
    CLEAN_PRODUCTION = "clean_production", _("Cleaner production")
    OTHER = "other", _("Other")


class Project(models.Model):
    park = models.ForeignKey("registry.Park", on_delete=models.PROTECT, related_name="projects")
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
        related_name="projects",
    )  # fmt: skip
    title = models.CharField(max_length=255)
    category = models.CharField(max_length=30, choices=Category.choices)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.CONSULTANT)
    match = models.ForeignKey(
        "exchange.Match", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreement = models.ForeignKey(
        "exchange.Agreement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scenario = models.ForeignKey(
        "networks.Scenario", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measure = models.ForeignKey(
        "recp.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    dropped_reason = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    identified_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField(
        null=True, blank=True, help_text="Start of operation: observed benefits count from here"
    )
    # appraisal inputs
    capex_vnd = models.DecimalField(
        max_digits=20, decimal_places=0, default=0, validators=[validate_vnd]
    )
    opex_vnd_per_year = models.DecimalField(
        max_digits=20, decimal_places=0, default=0, validators=[validate_vnd]
    )
    savings_vnd_per_year = models.DecimalField(
        max_digits=20, decimal_places=0, default=0, validators=[validate_vnd]
    )
    lifetime_years = models.PositiveSmallIntegerField(default=10)
    discount_rate = models.FloatField(default=0.10, help_text="Decimal, 0.10 = 10 %/year")
    co2e_t_per_year = models.FloatField(default=0)
    resource_code = models.CharField(max_length=80, blank=True)
    quantity_per_year = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    price_vnd_per_unit = models.FloatField(null=True, blank=True)
    resources_saved = models.JSONField(
        default=dict, blank=True, help_text="{resource_code: quantity per year}"
    )
    evidence = models.JSONField(default=list, blank=True, help_text="Evidence document codes")
    notes = models.TextField(blank=True)
    # benefits checked against records by a board or consultant
    benefits_verified = models.BooleanField(default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    verified_on = models.DateField(null=True, blank=True)
    verified_note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["park", "-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capex_vnd__gte=0, capex_vnd__lte=10**15)
                & models.Q(opex_vnd_per_year__gte=0, opex_vnd_per_year__lte=10**15)
                & models.Q(savings_vnd_per_year__gte=0, savings_vnd_per_year__lte=10**15),
                name="project_money_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(lifetime_years__gte=1, lifetime_years__lte=60),
                name="project_lifetime_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(discount_rate__gte=0, discount_rate__lte=1),
                name="project_rate_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="project_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values), name="project_category_valid"
            ),
        ]

    def __str__(self):
        return self.title


class StageChange(models.Model):
    """The dated history of a project's stage (who moved it, when, and why when dropped)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="history")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(blank=True)
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "recorded", "pk"]
