"""Licensed handlers and trust records of the exchange (issue 17)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandlerLicence(models.Model):
    """One licence of the authority's published list of licensed collectors,
    transporters and treatment or recycling firms (giấy phép xử lý CTNH)."""

    licence_number = models.CharField(max_length=80)
    authority = models.CharField(max_length=200, blank=True)
    holder_name = models.CharField(max_length=255)
    tax_code = models.CharField(max_length=14, blank=True, db_index=True)
    # the registry enterprise holding it (linked by tax code on import), if registered
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handler_licences",
    )
    activities = models.JSONField(default=list, blank=True)  # core.licences.ACTIVITIES
    waste_codes = models.JSONField(default=list, blank=True)  # "12 06 05", groups "12 06"
    capacity_t_per_year = models.FloatField(null=True, blank=True)
    province = models.CharField(max_length=100, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField()
    source = models.CharField(max_length=255, blank=True, help_text="File it was imported from")
    imported = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["holder_name", "licence_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_number", "authority"], name="handler_licence_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_t_per_year__isnull=True)
                | models.Q(capacity_t_per_year__gte=0, capacity_t_per_year__lte=10**9),
                name="handler_licence_capacity_in_range",
            ),
        ]

    def state(self, on=None) -> str:
        import datetime as dt

        from eiphub.core.licences import licence_state

        return licence_state(self.valid_from, self.valid_to, on or dt.date.today())


class AgreementReview(models.Model):
    """After an agreement has run, one side's record of how the other side performed."""

    agreement = models.ForeignKey(
        "exchange.Agreement", on_delete=models.CASCADE, related_name="reviews"
    )
    side = models.CharField(max_length=8)  # supplier or receiver: who wrote it
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity_as_promised = models.BooleanField(_("Quantities as promised"))
    quality_as_promised = models.BooleanField(_("Quality as promised"))
    on_time = models.BooleanField(_("On time"))
    comment = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "side"], name="agreement_review_one_per_side"
            )
        ]
