"""Keep the denormalised ``FlowRecord.park`` right when an owner changes park (tenancy change),
and mark the stored results of the parks concerned stale.

``Enterprise.objects.bulk_update`` with ``park`` among the fields calls
:func:`enterprises_moved` too (see eiphub/registry/models.py)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from eiphub.registry.models import Enterprise, SharedFacility

from .models import FlowRecord


def _move(flows) -> int:
    """Re-park ``flows`` (a queryset); ``sync_parks`` marks the (park, year) of before and
    after stale."""
    return flows.sync_parks(bulk=False)


def enterprises_moved(enterprise_ids) -> int:
    return _move(FlowRecord.objects.filter(enterprise_id__in=list(enterprise_ids)))


@receiver(post_save, sender=Enterprise, dispatch_uid="flows_enterprise_park")
def _enterprise_saved(sender, instance, created, raw=False, **kw):
    if created or raw:
        return
    moved = FlowRecord.objects.filter(enterprise_id=instance.pk).exclude(park_id=instance.park_id)
    if moved.exists():
        _move(FlowRecord.objects.filter(enterprise_id=instance.pk))


@receiver(post_save, sender=SharedFacility, dispatch_uid="flows_facility_park")
def _facility_saved(sender, instance, created, raw=False, **kw):
    if created or raw:
        return
    moved = FlowRecord.objects.filter(facility_id=instance.pk).exclude(park_id=instance.park_id)
    if moved.exists():
        _move(FlowRecord.objects.filter(facility_id=instance.pk))
