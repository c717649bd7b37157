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
