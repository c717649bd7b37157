from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """One in-app notice: the event and its parameters; the text is rendered in the
    viewer's language when shown (events.render)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    event = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    read = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read"], name="notice_user_read")]

    @property
    def text(self) -> str:
        from .events import render

        return render(self.event, self.params)


class NoticePreference(models.Model):
    """Per user and event: shown in the app, sent by e-mail (no row: both on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    event = models.CharField(max_length=40)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notice_pref_user_event")
        ]


def _deadline_choices():
    from eiphub.core.deadlines import load

    return [(code, code) for code in load()]


class DeadlineOverride(models.Model):
    """A province's own day for a deadline of ``core/data/deadlines.yaml`` (empty: default)."""

    province = models.ForeignKey(
        "registry.Province", on_delete=models.CASCADE, verbose_name=_("province")
    )
    deadline = models.CharField(_("deadline"), max_length=40, choices=_deadline_choices)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, help_text=_("Annual deadlines only.")
    )
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    remind_days = models.PositiveSmallIntegerField(_("remind days before"), null=True, blank=True)

    class Meta:
        verbose_name = _("deadline of a province")
        verbose_name_plural = _("deadlines of provinces")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "deadline"], name="deadline_override_province_code"
            )
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        from eiphub.core.deadlines import DeadlineError, load

        d = load().get(self.deadline)
        if d is None:
            return
        try:
            d.with_override(month=self.month, day=self.day, remind_days=self.remind_days)
        except DeadlineError as exc:
            raise ValidationError(_("This day does not exist in that month.")) from exc


class DeadlineReminder(models.Model):
    """A reminder sent: one per user, deadline, period and kind ('near' or 'passed')."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    deadline = models.CharField(max_length=40)
    period = models.CharField(max_length=10)
    kind = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "deadline", "period", "kind"], name="deadline_reminder_once"
            )
        ]
