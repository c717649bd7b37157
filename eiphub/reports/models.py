"""Eco-criteria reporting: declared facts with evidence, park-specific targets of the
management board, annual reports (forms A.5/B.5, eco-enterprise report, environmental and
social report) with their overrides and audit trail.

Who may do what is decided in ``workflow.py`` through ``eiphub.accounts.scoping``.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Declaration(models.Model):
    """A fact declared by a park developer or an enterprise for one year (a criterion code of
    a pack such as ``37.1.c`` or ``ENV.5``, ``compliance_ok`` for an enterprise's 3-year legal
    compliance, or a dossier item ``dossier.*``), with references of the documents proving it
    (one per line: file names, document numbers or URLs)."""

    park = models.ForeignKey(
        "registry.Park", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    value = models.JSONField(null=True, blank=True, help_text="true/false or a number")
    evidence = models.TextField(blank=True, help_text="One document reference per line")
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(park__isnull=False, enterprise__isnull=True)
                | Q(park__isnull=True, enterprise__isnull=False),
                name="declaration_subject_exactly_one",
            ),
            models.UniqueConstraint(
                fields=["park", "year", "code"],
                condition=Q(park__isnull=False),
                name="declaration_unique_park",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "year", "code"],
                condition=Q(enterprise__isnull=False),
                name="declaration_unique_enterprise",
            ),
        ]

    @property
    def documents(self) -> list[str]:
        return [line.strip() for line in self.evidence.splitlines() if line.strip()]


class Comparison(models.TextChoices):
    GE = ">=", "≥"
    GT = ">", ">"
    LE = "<=", "≤"
    LT = "<", "<"


class ContextTarget(models.Model):
    """A park-specific target set by the management board (by sector mix or region) beside
    the legal threshold of a pack criterion; shown separately, never in the verdict."""

    park = models.ForeignKey("registry.Park", on_delete=models.CASCADE, related_name="+")
    pack_id = models.CharField(max_length=60)
    code = models.CharField(max_length=40, help_text="Criterion of the pack whose value is used")
    threshold = models.FloatField()
    comparison = models.CharField(max_length=2, choices=Comparison.choices, default=Comparison.GE)
    rationale = models.TextField(help_text="Why: sector mix, region, ...")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["park", "pack_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "pack_id", "code", "comparison"], name="context_target_unique"
            )
        ]


class ReportKind(models.TextChoices):
    A5 = "A5", _("Form A.5 (park indicators)")
    B5 = "B5", _("Form B.5 (eco-enterprise indicators)")
    ECO_ENTERPRISE = "eco_enterprise", _("Eco-enterprise annual report (Art. 43)")
    ENV_SOCIAL = "env_social", _("Annual environmental and social report")


# The criteria pack each report kind is assessed against ("" = narrative only).
KIND_PACK = {
    ReportKind.A5: "circular05_a5",
    ReportKind.B5: "circular05_b5",
    ReportKind.ECO_ENTERPRISE: "decree35_eco_enterprise",
    ReportKind.ENV_SOCIAL: "",
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    # issue 13: a preparer's report waits for the organisation's approver (where configured)
    APPROVAL = "approval", _("Awaiting approval")


class AnnualReport(models.Model):
    """One report per kind, subject (park, or enterprise for ``eco_enterprise``) and year.

    ``computed`` keeps the values computed from platform data when the report was created (or
    recomputed); ``values`` the reported value per criterion code, equal to the computed value
    unless a :class:`ReportOverride` with a justification replaced it."""

    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    park = models.ForeignKey("registry.Park", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    pack_id = models.CharField(max_length=60, blank=True)
    pack_version = models.CharField(max_length=20, blank=True)
    computed = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # Optimistic concurrency (issue 18): an edit names the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "kind", "park"]
        constraints = [
            models.CheckConstraint(  # issue 18: reporting years as eiphub.core.bounds
                condition=Q(year__gte=2000, year__lte=2100), name="report_year_in_range"
            ),
            models.UniqueConstraint(
                fields=["kind", "park", "year"],
                condition=Q(enterprise__isnull=True),
                name="report_one_per_park_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "enterprise", "year"],
                condition=Q(enterprise__isnull=False),
                name="report_one_per_enterprise_period",
            ),
        ]

    def __str__(self):
        subject = self.enterprise.name_vi if self.enterprise_id else self.park.code
        return f"{self.get_kind_display()} {subject} {self.year}"

    @property
    def editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportOverride(models.Model):
    """A reported value that replaces the computed one, with its justification."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="overrides")
    code = models.CharField(max_length=40)
    computed_value = models.JSONField(null=True)
    value = models.JSONField(null=True)
    justification = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="report_override_unique")
        ]


def evidence_path(instance, filename):
    """Storage name of an evidence file: never the uploaded name (kept in ``name``)."""
    import uuid

    return f"reports/evidence/{instance.report_id}/{uuid.uuid4().hex}"


def document_path(instance, filename):
    import uuid

    return f"reports/documents/{instance.report_id}/{uuid.uuid4().hex}.{instance.fmt}"


class ReportEvidence(models.Model):
    """A file proving one indicator of a report (issue 13), stored through Django's storage
    API; its type is checked on the content (``evidence.sniff``), not on the name."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="evidence")
    code = models.CharField(max_length=40)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "uploaded_at", "pk"]


class IndicatorComment(models.Model):
    """The board's comment on one indicator when it returns a report (issue 13)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="comments")
    code = models.CharField(max_length=40)
    revision = models.PositiveIntegerField(help_text="The submitted version commented on")
    text = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revision", "code", "pk"]


class ReportRevision(models.Model):
    """What was filed with the board: one row per submission (version 1, 2, ... of the
    report), so that a resubmission is shown with its differences to the previous one."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    justifications = models.JSONField(default=dict)
    evidence = models.JSONField(default=dict, help_text="{code: [file names]}")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_revision_unique")
        ]


class ReportApprover(models.Model):
    """A developer organisation's approver of annual reports (issue 13).  Where an
    organisation has approvers, its other users prepare reports and an approver approves
    them before they reach the board; without approvers the developer submits directly."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="report_approver_unique")
        ]


class ReportDocument(models.Model):
    """A generated DOCX/PDF of a report (a background job writes it through the storage
    API); fresh while ``source_stamp`` equals the report's current ``documents.stamp``."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="documents")
    fmt = models.CharField(max_length=4)
    lang = models.CharField(max_length=2)
    file = models.FileField(upload_to=document_path, max_length=200)
    source_stamp = models.CharField(max_length=64)
    generated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "fmt", "lang"], name="report_document_unique")
        ]


class AuditEvent(models.Model):
    """Every change of a report: who, when, what (field), before and after."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="audit")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20)
    field = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class StoredResult(models.Model):
    """A stored computation (scorecard, park-year aggregates, area aggregates), recomputed when
    its inputs change; see eiphub/reports/stored.py and docs/architecture.md.

    ``park`` is empty for area aggregates (``key`` then names the area: ``national`` or
    ``province:<code>``).  ``version`` grows on each invalidation: a recomputation started
    before a change does not clear ``stale`` (it saves only when the version is unchanged)."""

    kind = models.CharField(max_length=20)
    park = models.ForeignKey("registry.Park", null=True, blank=True, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=80, blank=True, default="")
    result = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    inputs_hash = models.CharField(max_length=64, blank=True, default="")
    version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "park", "year", "key"],
                condition=models.Q(park__isnull=False),
                name="stored_result_unique_park",
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "key"],
                condition=models.Q(park__isnull=True),
                name="stored_result_unique_area",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "key", "year"], name="stored_kind_key_year"),
            models.Index(fields=["park", "year"], name="stored_park_year"),
        ]
