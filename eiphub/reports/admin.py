"""Administration of reporting settings: a developer organisation's report approvers
(issue 13; where an organisation has none, its users submit directly)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from eiphub.accounts.models import Role

from .models import ReportApprover


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
