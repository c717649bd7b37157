"""Waste and by-product exchange: listings, matches, agreements, realised exchanges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Listing(models.Model):
    class Kind(models.TextChoices):
        OFFER = "offer", _("Offer")
        WANT = "want", _("Want")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class Disclosure(models.TextChoices):
        BLIND = "blind", _("Blind: resource, quantity band, park and timing only")
        PARK = "park", _("Named to enterprises of the same park")
        PUBLIC = "public", _("Named to everyone")

    class Period(models.TextChoices):
        YEAR = "year", _("per year")
        MONTH = "month", _("per month")
        ONCE = "once", _("one-off lot")

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="listings"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    resource_code = models.CharField(max_length=80, blank=True, db_index=True)
    resource_text = models.CharField(max_length=255, blank=True)
    quantity = models.FloatField()
    unit = models.CharField(max_length=20)
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.YEAR)
    recurring = models.BooleanField(default=True)
    available_from = models.DateField(null=True, blank=True)
    available_to = models.DateField(null=True, blank=True)
    quality = models.JSONField(default=dict, blank=True)
    temperature_c = models.FloatField(null=True, blank=True)
    pressure_bar = models.FloatField(null=True, blank=True)
    hazardous = models.BooleanField(default=False)
    licence_required = models.CharField(max_length=100, blank=True)
    price_vnd_per_unit = models.FloatField(
        null=True, blank=True, help_text="Negative = disposal cost paid"
    )
    disclosure = models.CharField(
        max_length=10, choices=Disclosure.choices, default=Disclosure.BLIND
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_flow_key = models.CharField(max_length=120, blank=True, help_text="Generated from flows")
    site = models.CharField(
        max_length=200, blank=True, help_text="Site, plot or workshop where the resource is"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    # Optimistic concurrency (issue 18): an edit names the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # issue 18: the database rejects what validation missed (eiphub.core.bounds)
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0, quantity__lte=10**12),
                name="listing_quantity_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(price_vnd_per_unit__isnull=True)
                | models.Q(price_vnd_per_unit__gte=-(10**15), price_vnd_per_unit__lte=10**15),
                name="listing_price_in_range",
            ),
        ]


class Match(models.Model):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        INTERESTED = "interested", _("Expression of interest")
        NEGOTIATING = "negotiating", _("Negotiating")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Declined")

    offer = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="matches_as_offer")
    want = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="matches_as_want")
    score = models.FloatField()
    distance_km = models.FloatField(null=True, blank=True)
    matched_quantity = models.FloatField(default=0)
    unit = models.CharField(max_length=20, blank=True)
    pathway = models.CharField(max_length=20, blank=True)
    # the explanation as structured facts ({"code": ..., parameters}); pages phrase them in
    # the reader's language (listings.phrase_facts), so no column per language
    facts = models.JSONField(default=list, blank=True)
    benefit_vnd_per_year = models.FloatField(default=0)
    co2e_t_per_year = models.FloatField(default=0)
    offer_accepted = models.BooleanField(default=False)
    want_accepted = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["offer", "want"], name="match_unique_pair")]

    @property
    def revealed(self) -> bool:
        """Identities are revealed to both sides only when both accepted."""
        return self.offer_accepted and self.want_accepted


class Agreement(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        OPERATING = "operating", _("Operating")
        ENDED = "ended", _("Ended")

    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.SET_NULL)
    supplier = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="supplies"
    )
    receiver = models.ForeignKey(
        "registry.Enterprise", on_delete=models.PROTECT, related_name="receipts"
    )
    resource_code = models.CharField(max_length=80)
    quantity_per_year = models.FloatField()
    unit = models.CharField(max_length=20)
    price_vnd_per_unit = models.FloatField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    supplier_confirmed = models.BooleanField(default=False)
    receiver_confirmed = models.BooleanField(default=False)
    pathway = models.CharField(max_length=20, blank=True)
    benefit_vnd_per_year = models.FloatField(default=0)
    co2e_t_per_year = models.FloatField(default=0)
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    # Optimistic concurrency (issue 18): an edit names the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_status = None if self._state.adding else self.status

    def status_change_day(self, created: bool = False):
        """The day a status takes effect: operating from ``starts_on``, ended on ``ends_on``
        when they are set; a record created in its status without a date holds it since
        before records began (None); a later change without a date takes effect today."""
        import datetime as dt

        if self.status == self.Status.OPERATING and self.starts_on:
            return self.starts_on
        if self.status == self.Status.ENDED and self.ends_on:
            return self.ends_on
        return None if created else dt.date.today()

    def save(self, *args, **kwargs):
        """Every status change is written to the agreement's dated status history, so that
        past years are judged by the status they had then, not today's."""
        created = self._state.adding
        changed = self._saved_status != self.status
        super().save(*args, **kwargs)
        if changed:
            if created and self.status == self.Status.ENDED and self.starts_on:
                AgreementStatusChange.objects.create(
                    agreement=self, status=self.Status.OPERATING, on=self.starts_on
                )
            AgreementStatusChange.objects.create(
                agreement=self, status=self.status, on=self.status_change_day(created)
            )
            self._saved_status = self.status


class AgreementStatusChange(models.Model):
    """Audit trail of an agreement's status: ``status`` from day ``on``."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=10, choices=Agreement.Status.choices)
    on = models.DateField(null=True, blank=True, help_text="Empty: since before records began")
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        # undated entries ("since before records began") first on every database
        ordering = ["agreement", models.F("on").asc(nulls_first=True), "pk"]


class ExchangeRecord(models.Model):
    """A realised monthly exchange under an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="records")
    period = models.DateField()
    quantity = models.FloatField()

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period"], name="exchange_record_unique")
        ]


class MatchNote(models.Model):
    """The negotiation log of a match: notes written by either side and workflow events.

    ``side`` says which listing's owner wrote it (offer or want; blank = the system)."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        INTEREST = "interest", _("Expression of interest")
        ACCEPT = "accept", _("Accepted")
        DECLINE = "decline", _("Declined")
        AGREEMENT = "agreement", _("Agreement")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=5, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # issue 17: a message written before the reveal is relayed redacted (only the
    # redacted text is kept); ``removed`` lists the kinds of detail taken out
    before_reveal = models.BooleanField(default=False)
    removed = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created", "id"]


# --------------------------------------------------------------------------
# Issue 17: search, saved searches and listings that carry evidence.
# The fields are on their own models (one row per listing) so that the listing
# table and its forms stay as they were; see exchange/search.py, attachments.py.
# --------------------------------------------------------------------------


class ListingEvidence(models.Model):
    """What a listing says beyond the matcher's fields: the hazardous-waste code (mã CTNH,
    Circular 02/2022/TT-BTNMT Appendix III) and its EWC cross-reference, logistics, expiry
    and whether it is a "partial" listing a facilitator may complete."""

    class Logistics(models.TextChoices):
        DELIVER = "deliver", _("I deliver")
        COLLECT = "collect", _("You collect")
        TRANSPORTER = "transporter", _("A transporter is needed")

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, related_name="evidence")
    ctnh_code = models.CharField(max_length=12, blank=True)
    ewc_code = models.CharField(max_length=12, blank=True)
    logistics = models.CharField(max_length=12, choices=Logistics.choices, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)
    partial = models.BooleanField(default=False)
    facilitator_may_edit = models.BooleanField(default=False)


class ListingEvent(models.Model):
    """Audit trail of a listing: who changed which field, before and after (owner edits,
    facilitator completions, renewals, attachments added or removed).  Nothing a later edit
    overwrites is lost (issue 18)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20)
    field = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # the listing's version this change produced (owner edits and facilitator completions)
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]


def _attachment_path(instance, filename):
    # a random name: the uploaded name may carry the firm's name
    import uuid

    return f"exchange/attachments/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class ListingAttachment(models.Model):
    """A photo, laboratory analysis or safety data sheet on a listing, stored through
    Django's storage API.  Shown only to viewers who may know the firm (attachments.py)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        LAB = "lab", _("Laboratory analysis")
        SDS = "sds", _("Safety data sheet")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]


class SavedSearch(models.Model):
    """A user's search of the marketplace (the query string of the search page), with
    alerts when a newly published listing fits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    params = models.JSONField(default=dict)
    alerts = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]


class SearchAlert(models.Model):
    """One alert sent: a listing that fitted a saved search (never sent twice)."""

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="sent")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["search", "listing"], name="search_alert_unique")
        ]


# issue 17: licensed handlers and the trust record (kept in their own module)
from .models_nego import AgreementReview, HandlerLicence  # noqa: E402,F401


class WorkflowEvent(models.Model):
    """Audit trail of the exchange workflow: one row per step applied through
    ``exchange.workflow.apply`` (which action, by whom, from which state to which)."""

    class Action(models.TextChoices):
        INTEREST = "interest", _("Expressed interest")
        ACCEPT = "accept", _("Accepted the match")
        REVEAL = "reveal", _("Accepted the match; both sides accepted")
        DECLINE = "decline", _("Declined the match")
        AGREE_MATCH = "agree_match", _("The match led to an agreement")
        CONFIRM = "confirm", _("Confirmed the agreement")
        AGREE = "agree", _("Confirmed the agreement; both parties confirmed")
        OPERATE = "operate", _("Started operating")
        END = "end", _("Ended the agreement")

    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    MATCH_ACTIONS = ("interest", "accept", "reveal", "decline", "agree_match")

    def _states(self):
        return (Match if self.action in self.MATCH_ACTIONS else Agreement).Status

    @property
    def from_label(self) -> str:
        return str(dict(self._states().choices).get(self.from_state, self.from_state))

    @property
    def to_label(self) -> str:
        return str(dict(self._states().choices).get(self.to_state, self.to_state))
