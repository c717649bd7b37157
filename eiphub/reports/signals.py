"""Mark stored results stale when their inputs change (see eiphub/reports/stored.py).

Single-row writes arrive here through model signals; bulk flow writes go through
``FlowRecordQuerySet.bulk_create``/``delete``/``sync_parks`` (eiphub/flows/models.py), which
call :func:`eiphub.reports.stored.mark_stale` once per call with every (park, year) touched.
Deleting an enterprise, a shared facility or a park (one or a queryset) cascades to flow
records without a signal: the ``pre_delete`` receivers below collect the parks first."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from eiphub.exchange.models import Agreement, ExchangeRecord
from eiphub.flows.models import FlowRecord
from eiphub.recp.models import Measure
from eiphub.registry.models import Certificate, Enterprise, Park, SharedFacility

from . import stored
from .models import AnnualReport, ContextTarget, Declaration


def _ent_park(enterprise_id):
    return Enterprise.objects.filter(pk=enterprise_id).values_list("park_id", flat=True).first()


@receiver(post_save, sender=FlowRecord, dispatch_uid="stored_flow_saved")
def _flow_saved(sender, instance, raw=False, **kw):
    if not raw and instance.park_id:
        stored.mark_stale({(instance.park_id, instance.period.year)})


def _agreement_keys(agreement_id, year=None):
    row = (
        Agreement.objects.filter(pk=agreement_id)
        .values_list("supplier__park_id", "receiver__park_id")
        .first()
    )
    return {(p, year) for p in row or ()}


@receiver(post_save, sender=Agreement, dispatch_uid="stored_agreement_saved")
@receiver(post_delete, sender=Agreement, dispatch_uid="stored_agreement_deleted")
def _agreement_changed(sender, instance, raw=False, **kw):
    if raw:
        return
    parks = {_ent_park(instance.supplier_id), _ent_park(instance.receiver_id)}
    stored.mark_stale({(p, None) for p in parks})


@receiver(post_save, sender=ExchangeRecord, dispatch_uid="stored_exchange_saved")
@receiver(post_delete, sender=ExchangeRecord, dispatch_uid="stored_exchange_deleted")
def _exchange_changed(sender, instance, raw=False, **kw):
    if not raw:
        stored.mark_stale(_agreement_keys(instance.agreement_id, instance.period.year))


@receiver(post_save, sender=Declaration, dispatch_uid="stored_declaration_saved")
@receiver(post_delete, sender=Declaration, dispatch_uid="stored_declaration_deleted")
def _declaration_changed(sender, instance, raw=False, **kw):
    if raw:
        return
    park = instance.park_id or _ent_park(instance.enterprise_id)
    stored.mark_stale({(park, instance.year)})


@receiver(post_save, sender=Measure, dispatch_uid="stored_measure_saved")
@receiver(post_delete, sender=Measure, dispatch_uid="stored_measure_deleted")
@receiver(post_save, sender=Certificate, dispatch_uid="stored_certificate_saved")
@receiver(post_delete, sender=Certificate, dispatch_uid="stored_certificate_deleted")
def _enterprise_fact_changed(sender, instance, raw=False, **kw):
    if not raw:
        stored.mark_stale({(_ent_park(instance.enterprise_id), None)})


@receiver(post_save, sender=Enterprise, dispatch_uid="stored_enterprise_saved")
def _enterprise_saved(sender, instance, raw=False, **kw):
    if not raw:
        stored.mark_stale({(instance.park_id, None)})


@receiver(post_save, sender=ContextTarget, dispatch_uid="stored_target_saved")
@receiver(post_delete, sender=ContextTarget, dispatch_uid="stored_target_deleted")
@receiver(post_save, sender=AnnualReport, dispatch_uid="stored_report_saved")
def _park_fact_changed(sender, instance, raw=False, **kw):
    if not raw:
        stored.mark_stale({(instance.park_id, None)})


@receiver(pre_delete, sender=Enterprise, dispatch_uid="stored_enterprise_deleting")
def _enterprise_deleting(sender, instance, **kw):
    """Its flows go with it (cascade, no signal), and so do its place in the park's counts;
    flows of other enterprises naming it as counterparty lose that link."""
    flows = FlowRecord.objects.filter(Q(enterprise=instance) | Q(counterparty=instance))
    stored.mark_stale({(instance.park_id, None)} | stored.flow_keys(flows))


@receiver(pre_delete, sender=SharedFacility, dispatch_uid="stored_facility_deleting")
@receiver(pre_delete, sender=Park, dispatch_uid="stored_park_deleting")
def _park_part_deleting(sender, instance, **kw):
    """A facility's flows go with it; a deleted park leaves the national and provincial
    totals (its own rows are deleted with it)."""
    stored.mark_stale({(instance.pk if sender is Park else instance.park_id, None)})
