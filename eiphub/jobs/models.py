"""A background job: one row per unit of work handed to the Celery workers.

The row is the source of truth (status, progress, result, error); the broker only
carries the job's id, so a message delivered twice or to a second worker finds the
row and acts on its state (tasks are idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=80, db_index=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=80, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The park the job is about (if any): boards, developers, consultants and the ministry
    # see the jobs of the parks they see (accounts/scoping.py: jobs_for).
    park = models.ForeignKey(
        "registry.Park", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dedupe_key = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    worker = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            # At most one active job per dedupe key (enqueue returns the existing one).
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="job_active_dedupe_key",
            )
        ]
        indexes = [models.Index(fields=["owner", "-created"], name="job_owner_created")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    # -- called by job functions ------------------------------------------------------
    def report(self, done: int, total: int | None = None) -> None:
        """Record progress (and a heartbeat that tells the sweeper this job is alive)."""
        self.progress_done = max(0, int(done))
        if total is not None:
            self.progress_total = max(0, int(total))
        self.heartbeat = timezone.now()
        Job.objects.filter(pk=self.pk).update(
            progress_done=self.progress_done,
            progress_total=self.progress_total,
            heartbeat=self.heartbeat,
        )

    def should_stop(self) -> bool:
        """True once a user asked to cancel: the function should return promptly."""
        self.cancel_requested = Job.objects.filter(pk=self.pk, cancel_requested=True).exists()
        return self.cancel_requested

    # -- read by pages ----------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def duration_s(self) -> float | None:
        if self.started is None:
            return None
        return ((self.finished or timezone.now()) - self.started).total_seconds()
