"""Monitoring in the JSON API (/api/v1/monitoring/...).

Stations push readings to ``POST /monitoring/ingest`` with their own token in the
``X-Station-Token`` header (one token per station, shown once when renewed on the station page);
the other operations use the platform's user authentication and the scoping of
``accounts.scoping.stations_for``."""

from __future__ import annotations

import datetime as dt
import time

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyHeader
from pydantic import BaseModel

from eiphub.accounts.scoping import stations_for
from eiphub.core import monitoring as M

from . import services as S
from .models import Alert, Exceedance, Station

router = Router(tags=["monitoring"])


class StationToken(APIKeyHeader):
    param_name = "X-Station-Token"

    def authenticate(self, request, key):
        if not key:
            return None
        st = Station.objects.filter(token_hash=Station.hash(key)).first()
        if st is not None:
            request.station = st
        return st


class ReadingIn(BaseModel):  # plain pydantic: no per-object Schema getter on big batches
    parameter: str
    time: dt.datetime | int  # ISO 8601 (naive = Vietnam local time) or UTC epoch seconds
    value: float
    status: str = "00"  # logger status: 00 measuring, 01 calibrating, 02 fault


class SeriesIn(BaseModel):
    """Columnar form for large batches: one parameter, parallel arrays (UTC epoch seconds)."""

    parameter: str
    times: list[int]
    values: list[float]
    status: list[str] | None = None


class BatchIn(BaseModel):
    readings: list[ReadingIn] = []
    series: list[SeriesIn] = []


class IngestOut(Schema):
    station: str
    received: int
    new: int
    replaced: int
    flagged: int
    hours_updated: int
    new_exceedances: int
    rejected: list[dict]


def _epoch(t) -> int:
    if isinstance(t, int):
        return t
    if t.tzinfo is None:
        return int(t.replace(tzinfo=dt.UTC).timestamp()) - M.LOCAL_OFFSET
    return int(t.timestamp())


_STATUS_CACHE: dict[str, int] = {}


def _status(code: str) -> int:
    """``M.status_flag`` memoised: a batch repeats a handful of status codes."""
    f = _STATUS_CACHE.get(code)
    if f is None:
        f = M.status_flag(code)
        if len(_STATUS_CACHE) < 1000:
            _STATUS_CACHE[code] = f
    return f


@router.post("/ingest", response=IngestOut, auth=StationToken())
def ingest(request, batch: BatchIn):
    """Store a batch of readings of the token's station (idempotent on parameter + time)."""
    st = request.station
    size = len(batch.readings) + sum(len(x.times) for x in batch.series)
    if size > 200_000:
        raise HttpError(413, "At most 200,000 readings per batch.")
    for x in batch.series:
        if len(x.values) != len(x.times) or (
            x.status is not None and len(x.status) != len(x.times)
        ):
            raise HttpError(422, f"{x.parameter}: times, values and status differ in length")

    rows = [
        (r.parameter.lower(), _epoch(r.time), r.value, _status(r.status)) for r in batch.readings
    ]
    columns = [
        (
            x.parameter.lower(),
            x.times,
            x.values,
            [_status(c) for c in x.status] if x.status else None,
        )
        for x in batch.series
    ]
    res = S.ingest(st, rows, columns=columns)
    return {"station": st.code, **res.as_dict()}


class StationOut(Schema):
    code: str
    name: str
    park: str
    kind: str
    status: str
    last_reading: dt.datetime | None
    parameters: list[str]


def _dt(t):
    return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC)


@router.get("/stations", response=list[StationOut])
def stations(request, park: str | None = None):
    qs = stations_for(request.user).select_related("park").prefetch_related("series")
    if park:
        qs = qs.filter(park__code=park)
    rows = list(qs[:5000])
    status = S.station_statuses(rows)
    return [
        {
            "code": s.code,
            "name": s.name,
            "park": s.park.code,
            "kind": s.kind,
            "status": status[s.pk]["status"],
            "last_reading": _dt(s.last_ts),
            "parameters": [x.parameter for x in s.series.all()],
        }
        for s in rows
    ]


class SeriesQuery(Schema):
    start: dt.datetime | None = None
    end: dt.datetime | None = None


class SeriesOut(Schema):
    station: str
    parameter: str
    unit: str
    resolution: str
    points: list[list[float | None]]
    flagged: list[list[float | None]]
    limits: list[dict]


@router.get("/stations/{code}/series/{parameter}", response=SeriesOut)
def series(request, code: str, parameter: str, q: Query[SeriesQuery]):
    """Readings (short spans), hourly averages (up to ~5 months) or daily means of one parameter;
    times in epoch milliseconds (chart convention)."""
    st = get_object_or_404(stations_for(request.user), code=code)
    s = get_object_or_404(st.series, parameter=parameter)
    hi = _epoch(q.end) if q.end else (s.last_ts or int(time.time())) + 1
    lo = _epoch(q.start) if q.start else hi - 365 * M.DAY
    if hi <= lo:
        raise HttpError(422, "end must be after start")
    data = S.series_data(s, lo, hi)
    limits = [
        {
            "from": p.start * 1000,
            "to": None if p.end is None else p.end * 1000,
            "low": p.limit.low,
            "high": p.limit.high,
            "pack": p.limit.pack,
        }
        for p in S.limit_periods(s)
    ]
    body = {"station": st.code, "parameter": s.parameter, "unit": s.unit, "limits": limits, **data}
    # up to 8,784 points: serialised directly (the schema above documents the shape)
    return JsonResponse(body)


class ExceedanceOut(Schema):
    parameter: str
    start: dt.datetime
    end: dt.datetime
    duration_h: float
    bound: str
    limit: float
    peak: float
    magnitude: float
    confirmed: bool
    regulation: str


@router.get("/stations/{code}/exceedances", response=list[ExceedanceOut])
def exceedances(request, code: str):
    st = get_object_or_404(stations_for(request.user), code=code)
    qs = Exceedance.objects.filter(series__station=st).select_related("series")[:1000]
    return [
        {
            "parameter": e.series.parameter,
            "start": _dt(e.start),
            "end": _dt(e.end),
            "duration_h": e.duration_s / 3600,
            "bound": e.bound,
            "limit": e.limit,
            "peak": e.peak,
            "magnitude": e.magnitude,
            "confirmed": e.confirmed,
            "regulation": e.pack,
        }
        for e in qs
    ]


class AlertOut(Schema):
    station: str
    parameter: str
    start: dt.datetime
    value: float
    limit: float
    created: dt.datetime


@router.get("/alerts", response=list[AlertOut])
def alerts(request):
    qs = Alert.objects.filter(station__in=stations_for(request.user)).select_related("station")
    return [
        {
            "station": a.station.code,
            "parameter": a.parameter,
            "start": _dt(a.start),
            "value": a.value,
            "limit": a.limit,
            "created": a.created,
        }
        for a in qs[:500]
    ]
