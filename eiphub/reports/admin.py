"""Administration of reporting settings: a developer organisation's report approvers
(issue 13; where an organisation has none, its users submit directly)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role

from .models import AnnualReport, ContextTarget, Declaration, ReportApprover


class ReportApproverForm(forms.ModelForm):
    class Meta:
        model = ReportApprover
        fields = ["organization", "user"]

    def clean(self):
        data = super().clean()
        user, org = data.get("user"), data.get("organization")
        profile = getattr(user, "profile", None) if user else None
        if (
            user
            and org
            and not (
                profile and profile.role == Role.DEVELOPER and profile.organization_id == org.pk
            )
        ):
            raise forms.ValidationError(
                _("The approver must be a developer user of this organisation.")
            )
        return data


@admin.register(ReportApprover)
class ReportApproverAdmin(admin.ModelAdmin):
    form = ReportApproverForm
    list_display = ("organization", "user")
    list_filter = ("organization",)


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ("code", "year", "park", "enterprise", "value", "updated_by", "updated_at")
    list_filter = ("year", "park")
    search_fields = ("code", "enterprise__name_vi", "enterprise__tax_code", "park__code")
    autocomplete_fields = ("park", "enterprise")
    readonly_fields = ("updated_by", "updated_at")
    list_select_related = ("park", "enterprise", "updated_by")


@admin.register(ContextTarget)
class ContextTargetAdmin(admin.ModelAdmin):
    list_display = ("park", "pack_id", "code", "comparison", "threshold", "created_by")
    list_filter = ("pack_id", "park")
    search_fields = ("code", "pack_id", "park__code", "rationale")
    autocomplete_fields = ("park",)
    readonly_fields = ("created_by", "created_at")
    list_select_related = ("park", "created_by")


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    """Reports are created, submitted and reviewed through ``reports.workflow`` (which
    records the audit trail and revisions): the admin shows the workflow state read-only."""

    list_display = ("kind", "park", "enterprise", "year", "status", "submitted_at", "reviewed_by")
    list_filter = ("kind", "status", "year", "park")
    search_fields = ("park__code", "enterprise__name_vi", "enterprise__tax_code")
    autocomplete_fields = ("park", "enterprise")
    readonly_fields = (
        "status",
        "pack_id",
        "pack_version",
        "computed",
        "values",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "version",
    )
    list_select_related = ("park", "enterprise", "reviewed_by")
