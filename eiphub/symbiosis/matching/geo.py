"""Geometry of matching: road distances and the multi-level grid index that finds
the nearest eligible wants of each offer without computing all pairs."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088
# Road km per great-circle km.  Indicative for Vietnam's industrial regions: road
# routes are typically 1.2-1.4x the straight line (Hanoi - Hai Phong centres: 89 km great
# circle, 105-120 km by road; HCMC - Bien Hoa: 25 km, 30-35 km by road; tested).
ROAD_FACTOR = 1.3
# Pairs per group below which the geographic grid is skipped (all pairs of a
# small group are cheaper than the grid).  Tests set it to 0 to force the grid.
DENSE_PAIRS = 4096
GRID_CELL_DEG = 0.005  # finest grid cell, about 550 m
RINGS_PER_LEVEL = 4  # rings searched at a grid level before the offer moves to coarser cells


def road_km(lat1, lon1, lat2, lon2, road_factor: float, cos1=None, cos2=None) -> np.ndarray:
    """Great-circle distance x road factor, in km, rounded to 1 m (arrays).
    ``cos1``, ``cos2``: the cosines of the latitudes when already known."""
    p = math.pi / 180.0
    lat1, lon1, lat2, lon2 = (np.asarray(x, dtype=float) for x in (lat1, lon1, lat2, lon2))
    cos1 = np.cos(lat1 * p) if cos1 is None else cos1
    cos2 = np.cos(lat2 * p) if cos2 is None else cos2
    shape = np.broadcast_shapes(*(np.shape(x) for x in (lat1, lon1, lat2, lon2, cos1, cos2)))
    if shape == ():  # scalars
        return road_km(*(np.reshape(x, 1) for x in (lat1, lon1, lat2, lon2)), road_factor)[0]
    # sin((lat2 - lat1) p / 2)^2 + cos1 cos2 sin((lon2 - lon1) p / 2)^2, in place (large arrays)
    a = np.subtract(lat2, lat1)
    b = np.subtract(lon2, lon1)
    for x in (a, b):
        x *= p
        x /= 2
        np.sin(x, out=x)
        np.square(x, out=x)
    b *= np.multiply(cos1, cos2)
    a += b
    np.minimum(a, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2 * EARTH_RADIUS_KM
    a *= road_factor
    return np.round(a, 3, out=a)


# Sorting note: the candidate lists hold tens of millions of (offer, want, km) rows
# nationally.  Packing the sort keys into one uint64 and sorting values (np.sort)
# instead of np.lexsort on three keys is what keeps _topk/_nearest/_lexsort cheap:
# measured side by side (`eiphub bench --only matching`, figures in docs/decisions.md),
# the top-5 per offer over 5M rows took 3.9 s packed against 12.2 s with np.lexsort.
# Every packed path falls back to np.lexsort when the keys do not fit, and tests
# check both give the same order.


def _topk(oi: np.ndarray, wi: np.ndarray, d: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k first pairs per offer ordered by (distance, want index)."""
    if len(oi) == 0:
        return np.zeros(0, np.int64)
    dm = np.rint(d * 1000)  # distances are rounded to the metre
    if oi.max() < 2**20 and wi.max() < 2**19 and dm.max() < 2**25:
        key = (
            (oi.astype(np.uint64) << np.uint64(44))
            | (dm.astype(np.uint64) << np.uint64(19))
            | wi.astype(np.uint64)
        )
        order = np.argsort(key)  # one integer sort instead of a three-key lexsort
    else:
        order = np.lexsort((wi, d, oi))
    so = oi[order]
    first = _starts(so)
    start = np.maximum.accumulate(np.where(first, np.arange(len(so)), 0))
    return order[(np.arange(len(so)) - start) < k]


def _starts(x: np.ndarray) -> np.ndarray:
    """True where a run of equal values begins (``x`` grouped)."""
    out = np.empty(len(x), bool)
    out[:1] = True
    np.not_equal(x[1:], x[:-1], out=out[1:])
    return out


def _ordinal(x: np.ndarray) -> np.ndarray:
    """Non-negative integers ordered and tied exactly like the float array ``x``."""
    if len(x) == 0:
        return np.zeros(0, np.int64)
    for scale in (1e3, 1e6):  # distances in metres, scores in millionths
        y = np.rint(x * scale)
        if np.abs(y).max() < 2**40 and np.array_equal(y / scale, x):
            return (y - y.min()).astype(np.int64)
    return np.unique(x, return_inverse=True)[1].reshape(-1)


def _lexsort(keys) -> np.ndarray:
    """``np.lexsort(keys)`` (last key primary, stable) for non-negative integer
    keys, as a few value sorts of keys packed with the row index into uint64
    (sorting values is several times faster than sorting indices by key); the
    keys packed in one pass are replaced by their rank for the next pass."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, np.int64)
    ib = max(1, (n - 1).bit_length())
    width = 64 - 2 * ib  # a rank and the row index leave this many bits for the next key
    if width < 1:
        return np.lexsort(keys)
    parts = []
    for k in keys:  # split keys wider than that into chunks, least significant first
        k = np.asarray(k, np.int64)
        b = int(k.max()).bit_length()
        while b > width:
            parts.append((k & ((1 << width) - 1), width))
            k, b = k >> width, b - width
        parts.append((k, b))
    keys, bits = [k for k, _ in parts], [b for _, b in parts]
    while True:
        total, j = ib, 0
        while j < len(keys) and total + bits[j] <= 64:
            total += bits[j]
            j += 1
        packed = np.arange(n, dtype=np.uint64)
        shift = ib
        for k, b in zip(keys[:j], bits[:j], strict=True):
            packed |= k.astype(np.uint64) << np.uint64(shift)
            shift += b
        packed.sort()
        order = (packed & np.uint64((1 << ib) - 1)).astype(np.int64)
        if j == len(keys):
            return order
        comp = packed >> np.uint64(ib)
        rank = np.empty(n, np.int64)
        rank[order] = np.cumsum(_starts(comp)) - 1
        keys = [rank, *keys[j:]]
        bits = [int(rank[order[-1]]).bit_length(), *bits[j:]]


def _ring(r: int) -> tuple[np.ndarray, np.ndarray]:
    if r == 0:
        return np.zeros(1, np.int64), np.zeros(1, np.int64)
    span = np.arange(-r, r + 1)
    side = np.arange(-r + 1, r)
    dy = np.concatenate([np.full(len(span), -r), np.full(len(span), r), side, side])
    dx = np.concatenate([span, span, np.full(len(side), -r), np.full(len(side), r)])
    return dy.astype(np.int64), dx.astype(np.int64)


class _Grid:
    """Points (listing indices, ascending) bucketed by square lat/lon cells; one
    bucketing per cell size, cached, with the coordinates in cell order."""

    def __init__(self, ids: np.ndarray, lat: np.ndarray, lon: np.ndarray, cos: np.ndarray):
        self.ids, self.lat, self.lon, self.cos = ids, lat, lon, cos
        self._levels: dict[float, tuple] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def level(self, cell: float) -> tuple:
        """(sorted cell keys, first point and count per key, points in key order, bounds)."""
        if cell not in self._levels:
            wy = np.floor(self.lat / cell).astype(np.int64)
            wx = np.floor(self.lon / cell).astype(np.int64)
            key = (wy << 32) + wx
            order = np.argsort(key, kind="stable")
            ukeys, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
            points = tuple(x[order] for x in (self.ids, self.lat, self.lon, self.cos))
            bounds = (wy.min(), wy.max(), wx.min(), wx.max())
            self._levels[cell] = (ukeys, starts, counts, points, bounds)
        return self._levels[cell]


def _knn(oids, olat, olon, ocos, grid: _Grid, k, max_km, road_factor, ok):
    """Up to ``k`` nearest points of ``grid`` per offer within ``max_km`` (road)
    that pass ``ok(offer_ids, want_ids)``; ties broken by want index.  Exact,
    via a multi-level grid searched ring by ring: an offer stops as soon as it
    has ``k`` eligible wants closer than any want in the rings not yet
    searched.  Returns (offer ids, want ids, road km)."""
    P, Q = len(oids), len(grid)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if P == 0 or Q == 0:
        return empty
    if P * Q <= DENSE_PAIRS:
        o = np.repeat(np.arange(P), Q)
        w = np.tile(np.arange(Q), P)
        d = road_km(olat[o], olon[o], grid.lat[w], grid.lon[w], road_factor, ocos[o], grid.cos[w])
        o, w = oids[o], grid.ids[w]
        m = (d <= max_km) & ok(o, w)
        return _nearest(o[m], w[m], d[m], k)
    lat_max = min(89.0, float(max(np.abs(olat).max(), np.abs(grid.lat).max())))
    cosm = math.cos(math.radians(lat_max))
    gc_max = max_km / road_factor
    deg_needed = math.degrees(gc_max / EARTH_RADIUS_KM) / max(cosm, 1e-6)
    levels = [GRID_CELL_DEG]  # fine cells first; offers short of k wants move to coarser ones
    while levels[-1] < deg_needed and len(levels) < 8:
        levels.append(levels[-1] * 4)

    def lower_bound(r, cell):  # road km to any want in rings >= r
        if r <= 1:
            return 0.0
        gap = math.radians((r - 1) * cell)
        s = min(1.0, cosm * math.sin(min(gap, math.pi) / 2))
        return 2 * EARTH_RADIUS_KM * math.asin(s) * road_factor - 0.01

    out = []
    pending = np.arange(P)  # offers (positions) not yet served
    for level, cell in enumerate(levels):
        last = level == len(levels) - 1
        ukeys, starts, counts, (wid, wlat, wlon, wcos), (ymin, ymax, xmin, xmax) = grid.level(cell)
        oy = np.floor(olat[pending] / cell).astype(np.int64)
        ox = np.floor(olon[pending] / cell).astype(np.int64)
        okey = (oy << 32) + ox
        by_cell = np.argsort(okey, kind="stable")  # offers of a cell share the cell lookups
        pending, oy, ox, okey = pending[by_cell], oy[by_cell], ox[by_cell], okey[by_cell]
        plat, plon, pcos, pid = olat[pending], olon[pending], ocos[pending], oids[pending]
        reach = np.maximum.reduce(
            [np.abs(oy - ymin), np.abs(oy - ymax), np.abs(ox - xmin), np.abs(ox - xmax)]
        )
        act = np.arange(len(pending))  # positions in pending still searching, by cell
        done = np.zeros(len(pending), bool)
        bound = np.full(len(pending), np.inf)  # the k nearest are closer than this
        co, cw, cd = [], [], []  # eligible candidates: position in pending, want id, km
        r = 0
        while len(act):
            dy, dx = _ring(r)
            ck = okey[act]
            gs = np.flatnonzero(_starts(ck))  # cells: first active offer
            gn = np.diff(gs, append=len(act))  # and number of active offers
            # ring cell by offer cell: each row of keys is sorted (faster search)
            qk = (((oy[act[gs]] + dy[:, None]) << 32) + (ox[act[gs]] + dx[:, None])).ravel()
            pos = np.minimum(np.searchsorted(ukeys, qk), len(ukeys) - 1)
            hit = ukeys[pos] == qk
            if hit.any():
                hg = np.tile(np.arange(len(gs)), len(dy))[hit]  # offer cell of each hit
                cnt, first = counts[pos[hit]], starts[pos[hit]]
                # one row per (hit, offer of its cell), then one pair per want of the hit cell
                nrow = gn[hg]
                rends = np.cumsum(nrow)
                row_o = act[np.arange(rends[-1]) + np.repeat(gs[hg] - rends + nrow, nrow)]
                row_cnt = np.repeat(cnt, nrow)
                ends = np.cumsum(row_cnt)
                o = np.repeat(row_o, row_cnt)
                w = np.arange(ends[-1]) + np.repeat(
                    np.repeat(first, nrow) - ends + row_cnt, row_cnt
                )
                d = road_km(plat[o], plon[o], wlat[w], wlon[w], road_factor, pcos[o], wcos[w])
                w = wid[w]
                m = (d <= max_km) & ok(pid[o], w)
                co.append(o[m])
                cw.append(w[m])
                cd.append(d[m])
            r += 1
            lb = lower_bound(r, cell)
            fin = (r > reach[act]) | (lb > max_km)
            if lb > 0:
                near = np.zeros(len(pending), np.int64)  # eligible wants closer than any unseen
                for a, b in zip(co, cd, strict=True):
                    near += np.bincount(a[b < lb], minlength=len(pending))
                enough = near[act] >= k
                bound[act[enough]] = lb
                fin |= enough
            done[act[fin]] = True
            act = act[~fin]
            if not last and r >= RINGS_PER_LEVEL:
                break
        if co:
            o, w, d = np.concatenate(co), np.concatenate(cw), np.concatenate(cd)
            sel = done[o] & (d < bound[o])
            out.append(_nearest(pid[o[sel]], w[sel], d[sel], k))
        pending = pending[~done]
        if len(pending) == 0:
            break
    if not out:
        return empty
    return tuple(np.concatenate(x) for x in zip(*out, strict=True))


def _nearest(oi: np.ndarray, wi: np.ndarray, d: np.ndarray, k: int) -> tuple:
    """The k first (offer, want, km) per offer by (km, want), for distinct
    (offer, want) pairs with distances in whole metres: one sort of packed
    values (no index sort) when they fit in 64 bits."""
    if len(oi) == 0:
        return oi, wi, d
    dm = np.rint(d * 1000)
    ob, db, wb = (int(x.max()).bit_length() for x in (oi, dm, wi))
    if ob + db + wb > 64 or dm.min() < 0 or not np.array_equal(dm / 1000, d):
        keep = _topk(oi, wi, d, k)
        return oi[keep], wi[keep], d[keep]
    key = (
        (oi.astype(np.uint64) << np.uint64(db + wb))
        | (dm.astype(np.uint64) << np.uint64(wb))
        | wi.astype(np.uint64)
    )
    key.sort()
    so = (key >> np.uint64(db + wb)).astype(np.int64)
    first = _starts(so)
    start = np.maximum.accumulate(np.where(first, np.arange(len(so)), 0))
    key = key[(np.arange(len(so)) - start) < k]
    mask = lambda b: np.uint64((1 << b) - 1)  # noqa: E731
    return (
        (key >> np.uint64(db + wb)).astype(np.int64),
        (key & mask(wb)).astype(np.int64),
        ((key >> np.uint64(wb)) & mask(db)).astype(np.float64) / 1000,
    )
