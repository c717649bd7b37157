"""Monitoring pages: the board (every visible station with its status), a park's stations, the
live station page (chart with limits and exceedances), alerts, file upload, token renewal and
the monthly report."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eiphub.accounts.scoping import parks_for, stations_for, stations_writable_by
from eiphub.core import monitoring as M
from eiphub.web.params import year_param

from . import documents
from . import services as S
from .models import Alert, Exceedance, Station


def _status_label(code):
    return {
        "ok": _("Within limits"),
        "exceeding": _("Exceeding"),
        "stale": _("No recent data"),
        "no_data": _("No data"),
    }[code]


def _when(t):
    return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC)


def _rows(stations, now=None):
    status = S.station_statuses(stations, now=now)
    out = []
    for s in stations:
        st = status[s.pk]
        out.append(
            {
                "station": s,
                "status": st["status"],
                "status_label": _status_label(st["status"]),
                "open": [o | {"label": S.parameter_label(o["parameter"])} for o in st["open"]],
                "last": _when(st["last_ts"]),
            }
        )
    out.sort(
        key=lambda r: (S.STATUS_ORDER.index(r["status"]), r["station"].park.code, r["station"].code)
    )
    return out


@login_required
def board(request):
    """Every station the user sees (a board: its province) with its status."""
    qs = stations_for(request.user).select_related("park__province", "enterprise")
    province = request.GET.get("province") or ""
    if province:
        qs = qs.filter(park__province__code=province)
    stations = list(qs)
    rows = _rows(stations)
    counts = {k: 0 for k in S.STATUS_ORDER}
    for r in rows:
        counts[r["status"]] += 1
    provinces = sorted({s.park.province for s in stations}, key=lambda p: p.code)
    alerts = Alert.objects.filter(station__in=[s.pk for s in stations]).select_related("station")
    return render(
        request,
        "monitoring/board.html",
        {
            "rows": rows,
            "counts": [(k, _status_label(k), counts[k]) for k in S.STATUS_ORDER],
            "provinces": provinces,
            "province": province,
            "alerts": [_alert_row(a) for a in alerts[:10]],
        },
    )


def _alert_row(a):
    return {
        "alert": a,
        "label": S.parameter_label(a.parameter),
        "start": _when(a.start),
        "bound_label": _("above") if a.bound == "high" else _("below"),
    }


@login_required
def park(request, code):
    park = get_object_or_404(parks_for(request.user).select_related("province"), code=code)
    stations = list(
        stations_for(request.user)
        .filter(park=park)
        .prefetch_related("series")
        .select_related("park")
    )
    rows = _rows(stations)
    now = int(time.time())
    for r in rows:
        s = r["station"]
        r["parameters"] = []
        for x in s.series.all():
            lim = M.limit_at(S.limit_periods(x), x.last_ts or now)
            r["parameters"].append(
                {
                    "label": S.parameter_label(x.parameter),
                    "unit": x.unit,
                    "value": x.last_value,
                    "flagged": bool(x.last_flags),
                    "limit": lim,
                }
            )
        last = s.last_ts or now
        week = S.day_completeness(s, last - 7 * M.DAY, last + 1)
        r["completeness"] = sum(d["valid"] for d in week) / len(week) if week else 0
    year = (
        year_param(request.GET.get("year"))
        or dt.datetime.fromtimestamp(
            max([s.last_ts or now for s in stations] or [now]), dt.UTC
        ).year
    )
    last_month = dt.date.fromtimestamp(max([s.last_ts or now for s in stations] or [now]))
    return render(
        request,
        "monitoring/park.html",
        {
            "park": park,
            "rows": rows,
            "env5": S.env5_evidence(park, year),
            "year": year,
            "month": f"{last_month:%Y-%m}",
        },
    )


@login_required
def station(request, code):
    st = get_object_or_404(
        stations_for(request.user).select_related("park", "enterprise"), code=code
    )
    series = list(st.series.all())
    if not series:
        raise Http404
    current = next((s for s in series if s.parameter == request.GET.get("p")), series[0])
    periods = S.limit_periods(current)
    last = st.last_ts or int(time.time())
    exc = Exceedance.objects.filter(series__station=st).select_related("series")
    exc_rows = [
        {
            "e": e,
            "label": S.parameter_label(e.series.parameter),
            "unit": e.series.unit,
            "start": _when(e.start),
            "end": _when(e.end),
            "hours": e.duration_s / 3600,
            "pct": e.magnitude,
        }
        for e in exc[:50]
    ]
    marks = [
        [e.start * 1000, e.end * 1000]
        for e in Exceedance.objects.filter(series=current).order_by("start")[:2000]
    ]
    days = S.day_completeness(st, last - 30 * M.DAY, last + 1)
    status = S.station_statuses([st])[st.pk]
    chart = {
        "url": reverse("api:api-root")
        + f"monitoring/stations/{st.code}/series/{current.parameter}",
        "unit": current.unit,
        "label": S.parameter_label(current.parameter),
        "limits": [
            {
                "from": p.start * 1000,
                "to": None if p.end is None else p.end * 1000,
                "low": p.limit.low,
                "high": p.limit.high,
            }
            for p in periods
        ],
        "exceedances": marks,
        "end": (last + 1) * 1000,
        "start": (last + 1 - 365 * M.DAY) * 1000,
        "labels": {"limit": _("Limit"), "exceedance": _("Exceedance"), "flagged": _("Flagged")},
    }
    packs = M.installed_packs()
    return render(
        request,
        "monitoring/station.html",
        {
            "st": st,
            "series": [(s, S.parameter_label(s.parameter)) for s in series],
            "current": current,
            "periods": [(p, packs[p.limit.pack], _when(p.start), _when(p.end)) for p in periods],
            "chart": chart,
            "exceedances": exc_rows,
            "days": days,
            "status": status["status"],
            "status_label": _status_label(status["status"]),
            "last": _when(st.last_ts),
            "can_write": stations_writable_by(request.user).filter(pk=st.pk).exists(),
            "token": request.session.pop(f"station-token-{st.pk}", None),
            "legal": M.legal_basis(),
        },
    )


def _writable(request, code) -> Station:
    st = stations_for(request.user).filter(code=code).first()
    if st is None:
        raise Http404
    if not stations_writable_by(request.user).filter(pk=st.pk).exists():
        raise PermissionDenied(_("You may not change this station."))
    return st


@login_required
@require_POST
def station_token(request, code):
    st = _writable(request, code)
    request.session[f"station-token-{st.pk}"] = st.new_token()
    messages.success(request, _("New ingestion token created; the previous one no longer works."))
    return redirect("monitoring:station", code=st.code)


@login_required
@require_POST
def upload(request, code):
    st = _writable(request, code)
    f = request.FILES.get("file")
    if not f:
        messages.error(request, _("Choose a file."))
        return redirect("monitoring:station", code=st.code)
    try:
        rows = S.parse_logger_file(f.name, f.read())
        res = S.ingest(st, rows, use_copy=True)
    except S.FileError as exc:
        messages.error(request, _file_error(exc))
        return redirect("monitoring:station", code=st.code)
    messages.success(
        request,
        _("%(n)s readings received: %(new)s new, %(flagged)s flagged, %(exc)s new exceedances.")
        % {"n": res.received, "new": res.new, "flagged": res.flagged, "exc": len(res.exceedances)},
    )
    if res.rejected:
        messages.warning(
            request,
            _("%(n)s readings of parameters the station does not measure were left out.")
            % {"n": len(res.rejected)},
        )
    return redirect("monitoring:station", code=st.code)


def _file_error(exc) -> str:
    texts = {
        "bad_file_type": _("Use a .csv, .xlsx or .txt file."),
        "bad_header": _("The first column must be the time."),
        "bad_time": _("A time could not be read: %(value)s"),
        "bad_number": _("Row %(row)s: not a number: %(value)s"),
        "bad_line": _("Line %(row)s: expected parameter, value, unit, time and status."),
    }
    return texts.get(exc.code, _("The file could not be read.")) % exc.params


@login_required
def alerts(request):
    qs = Alert.objects.filter(station__in=stations_for(request.user)).select_related(
        "station__park"
    )
    return render(request, "monitoring/alerts.html", {"alerts": [_alert_row(a) for a in qs[:200]]})


@login_required
def report(request, code, fmt):
    park = get_object_or_404(parks_for(request.user).select_related("province"), code=code)
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = dt.date.today().replace(day=1)
    lang = (request.LANGUAGE_CODE or "vi")[:2]
    stations = list(stations_for(request.user).filter(park=park).prefetch_related("series"))
    data, ctype, name = documents.monthly(park, stations, month, fmt, lang)
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
