"""Ingestion of random batches (hypothesis): shuffled, with duplicates, unknown parameters and
status codes, row and columnar form.  What is stored equals a straightforward per-reading
reference written here: last reading of a (parameter, time) wins, flags by range, stuck run
against the stored tail, status bits."""

import math
import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eiphub.core import monitoring as M
from eiphub.monitoring import services as S
from eiphub.monitoring.models import Reading, Series
from eiphub.testing import make_world

from .helpers import T0, make_station

pytestmark = pytest.mark.django_db(transaction=False)

READING = st.tuples(
    st.sampled_from(["cod", "ph", "tss", "xyz"]),
    st.integers(0, 30),  # slot: many duplicates of one time
    st.sampled_from([7.0, 7.0, 7.5, 15.0, -1.0, 80.0, 2500.0]),
    st.sampled_from([0, 0, M.FLAG_CALIBRATION, M.FLAG_FAULT]),
)


class _Rollback(Exception):
    pass


def _expected(stored, batch, ranges, stuck_run):
    """Per-reading reference: ``stored`` {param: {ts: (value, flags)}} updated by ``batch``."""
    latest = {}
    for p, ts, v, s in batch:  # arrival order: the later one wins
        if p in ranges:
            latest.setdefault(p, {})[ts] = (v, s)
    out = {p: dict(rows) for p, rows in stored.items()}
    for p, rows in latest.items():
        lo, hi = ranges[p]
        times = sorted(rows)
        before = [v for t, (v, _f) in sorted(out.get(p, {}).items()) if t < times[0]]
        seq = before + [rows[t][0] for t in times]
        for k, t in enumerate(times):
            v, f = rows[t]
            if math.isnan(v) or v < lo or v > hi:
                f |= M.FLAG_OUT_OF_RANGE
            j = len(before) + k
            if j + 1 >= stuck_run and len(set(seq[j + 1 - stuck_run : j + 1])) == 1:
                f |= M.FLAG_STUCK
            out.setdefault(p, {})[t] = (v, f)
    return out


@pytest.fixture
def station(db):
    st_ = make_station(make_world(with_flows=False))
    Series.objects.filter(station=st_).update(stuck_run=3)
    return st_


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(READING, max_size=40),
    second=st.lists(READING, max_size=40),
    columnar=st.booleans(),
)
def test_random_batches_store_the_reference_flags(station, first, second, columnar):
    ranges = {s.parameter: (s.range_min, s.range_max) for s in station.series.all()}
    try:
        with transaction.atomic():
            stored: dict = {}
            for batch in (first, second):
                batch = [(p, T0 + k * 300, v, s) for p, k, v, s in batch]
                if columnar:  # the same readings, one column set per parameter
                    cols = {}
                    for p, t, v, s in batch:
                        c = cols.setdefault(p, ([], [], []))
                        c[0].append(t), c[1].append(v), c[2].append(s)
                    res = S.ingest(
                        station, columns=[(p, *c) for p, c in cols.items()], notify=False
                    )
                    ordered = [
                        (p, t, v, s) for p, c in cols.items() for t, v, s in zip(*c, strict=True)
                    ]
                else:
                    random.Random(len(batch)).shuffle(batch)
                    res = S.ingest(station, batch, notify=False)
                    ordered = batch
                before = sum(len(r) for r in stored.values())
                stored = _expected(stored, ordered, ranges, 3)
                assert res.received == len(batch)
                assert len(res.rejected) == sum(1 for r in batch if r[0] == "xyz")
                assert res.new == sum(len(r) for r in stored.values()) - before
                got = {}
                for p, t, v, f in Reading.objects.filter(series__station=station).values_list(
                    "series__parameter", "ts", "value", "flags"
                ):
                    got.setdefault(p, {})[t] = (v, f)
                assert got == stored
            raise _Rollback
    except _Rollback:
        pass
