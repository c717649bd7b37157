"""The write path's batch evaluation (``evaluate_all``) against the per-series ``evaluate`` on
mixed random series: stored hourly sums and earlier exceedances, several touched runs per
series.  Both run on the same data in rolled-back transactions; the stored exceedances, the
alerts and the number of new exceedances must be equal."""

import random

import pytest
from django.db import transaction

from eiphub.monitoring import services as S
from eiphub.monitoring.models import Alert, Exceedance, HourlyAverage
from eiphub.testing import make_world

from .helpers import T0, make_station

pytestmark = pytest.mark.django_db(transaction=False)
H = 3600


class _Rollback(Exception):
    pass


def _setup(station, rng):
    for s in station.series.all():
        hours = sorted(rng.sample(range(48), rng.randint(5, 40)))
        HourlyAverage.objects.bulk_create(
            [
                HourlyAverage(
                    series=s,
                    hour=T0 + h * H,
                    n_total=12,
                    n_valid=n,
                    total=n * rng.choice([5.0, 50.0, 120.0, 300.0, 2000.0]),
                    minimum=1.0,
                    maximum=3000.0,
                )  # fmt: skip
                for h in hours
                for n in [rng.choice([0, 6, 12, 12])]
            ]
        )
        for _ in range(rng.randint(0, 3)):
            a = rng.randrange(48)
            Exceedance.objects.create(series=s, start=T0 + a * H, end=T0 + (a + rng.randint(1, 5)) * H,
                                      bound="high", limit=1.0, peak=2.0, mean=2.0, periods=1,
                                      confirmed=False, pack="old")  # fmt: skip
    items = []
    for s in station.series.order_by("parameter"):
        starts = sorted(rng.sample(range(48), rng.randint(1, 4)))
        runs = S._runs([T0 + h * H for h in starts])
        items.append((s, runs))
    return items


def _state(station):
    ex = sorted(
        Exceedance.objects.filter(series__station=station).values_list(
            "series__parameter",
            "start",
            "end",
            "bound",
            "limit",
            "peak",
            "mean",
            "periods",
            "confirmed",
            "pack",
        )
    )
    al = sorted(
        Alert.objects.filter(station=station).values_list(
            "parameter", "start", "value", "limit", "bound"
        )
    )
    return ex, al


@pytest.mark.parametrize("seed", range(12))
def test_batch_evaluation_equals_per_series(db, seed):
    station = make_station(make_world(with_flows=False))
    results = []
    for batch in (False, True):
        try:
            with transaction.atomic():
                items = _setup(station, random.Random(seed))
                if batch:
                    n = len(S.evaluate_all(items))
                else:
                    n = sum(len(S.evaluate(s, runs)) for s, runs in items)
                results.append((n, _state(station)))
                raise _Rollback
        except _Rollback:
            pass
    assert results[0] == results[1]
    assert results[0][1][0]  # the seeds produce exceedances to compare
