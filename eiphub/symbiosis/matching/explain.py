"""Explanations of matches as structured facts, and their default wording.

:meth:`Explainer.facts` returns :class:`Fact` records (a code and plain
parameters: ``distance_km``, ``share_of_want``, ``pathway``, ``licence``...);
pages phrase them in the user's language.  :func:`render` gives the wording
the matcher has always produced (English and Vietnamese), used for
``Match.explanation`` / ``explanation_vi`` and the CSV/JSON outputs.

Fact codes (in order of appearance):

``link``        how the offer serves the want: ``relation`` same | narrower | broader |
                pathway | text, ``pathway`` (id), ``pathway_name_en/_vi``;
``resources``   ``offer_en/_vi``, ``want_en/_vi``: the resources' names;
``distance``    ``distance_km`` (road km), or ``distance_km`` None: same park, not given;
``coverage``    ``share_of_want`` (0..1);
``benefit``     ``vnd_per_year``;
``unverified``  quality or temperature not stated, check before agreeing;
``licence``     ``licence``: the licence the receiver must hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eiphub.core.licences import HAZARDOUS_WASTE


@dataclass(frozen=True)
class Fact:
    code: str
    params: dict = field(default_factory=dict, hash=False)


class Explainer:
    """Builds a match's facts on demand (a national run yields hundreds of
    thousands of matches; most explanations are never read)."""

    def __init__(self, ctx, link, oi, wi):
        self.listings, self.cat, self.links = ctx.listings, ctx.cat, ctx.L.links
        self.haz = ctx.haz
        self.rows = (link, oi, wi)  # per match: link id, offer and want positions
        self._names: dict[int, tuple[str, str]] = {}
        self._parts: dict[tuple, tuple[str, str, str, str]] = {}

    def names(self, i: int) -> tuple[str, str]:
        if i not in self._names:
            x = self.listings[i]
            r = self.cat.get(x.resource) if x.resource else None
            self._names[i] = (r.name_en, r.name_vi) if r else (x.resource_text, x.resource_text)
        return self._names[i]

    def facts(self, m) -> tuple[Fact, ...]:
        lid, o, w = (int(x[m._row]) for x in self.rows)
        link = self.links[lid]
        p = link.pathway
        if p is not None:
            how = Fact(
                "link",
                {
                    "relation": "pathway",
                    "pathway": p.id,
                    "pathway_name_en": p.name_en,
                    "pathway_name_vi": p.name_vi,
                },
            )
        else:
            how = Fact("link", {"relation": "text" if link.kind == "text" else link.relation})
        (en_o, vi_o), (en_w, vi_w) = self.names(o), self.names(w)
        out = [
            how,
            Fact(
                "resources", {"offer_en": en_o, "offer_vi": vi_o, "want_en": en_w, "want_vi": vi_w}
            ),
            Fact("distance", {"distance_km": m.distance_km}),
            Fact("coverage", {"share_of_want": m.coverage}),
            Fact("benefit", {"vnd_per_year": m.benefit_vnd_per_year}),
        ]
        if not m.quality_verified:
            out.append(Fact("unverified"))
        if link.licence or self.haz[o]:
            out.append(Fact("licence", {"licence": link.licence or HAZARDOUS_WASTE}))
        return tuple(out)

    def texts(self, m) -> tuple[str, str]:
        """Both wordings; the same as ``render(m.facts, lang)``, with the part that
        depends only on the link and the two resources built once per combination."""
        lid, o, w = (int(x[m._row]) for x in self.rows)
        key = (
            lid,
            self.listings[o].resource or o,
            self.listings[w].resource or w,
            bool(self.haz[o]),
        )
        parts = self._parts.get(key)
        if parts is None:
            f = self.facts(m)
            fixed = [x for x in f if x.code in ("link", "resources", "licence")]
            parts = self._parts[key] = (
                _prefix(fixed, False),
                _prefix(fixed, True),
                _suffix(fixed, False),
                _suffix(fixed, True),
            )
        pre_en, pre_vi, suf_en, suf_vi = parts
        km = m.distance_km
        ben = f"{m.benefit_vnd_per_year / 1e6:,.0f}"
        pct = f"{m.coverage:.0%}"
        if km is None:
            d_en, d_vi = "same park, distance not given", "cùng KCN, chưa có khoảng cách"
        else:
            d_en = f"{km:.1f} km"
            d_vi = d_en.replace(".", ",")
        en = f"{pre_en}; {d_en}; covers {pct} of the want; benefit ≈ {ben} million VND/year"
        vi = f"{pre_vi}; {d_vi}; đáp ứng {pct} nhu cầu; lợi ích ≈ {ben.replace(',', '.')} triệu đồng/năm"
        if not m.quality_verified:
            en += _UNVERIFIED[0]
            vi += _UNVERIFIED[1]
        return en + suf_en, vi + suf_vi


_HOW = {
    "same": ("direct match", "khớp trực tiếp"),
    "narrower": ("direct match (want is broader)", "khớp trực tiếp (nhu cầu rộng hơn)"),
    "broader": (
        "direct match (offer is broader, check grade)",
        "khớp trực tiếp (chào bán rộng hơn, cần kiểm tra chủng loại)",
    ),
    "text": ("same description (not in the catalogue)", "cùng mô tả (chưa có trong danh mục)"),
}


_UNVERIFIED = (
    "; quality or temperature not stated, check before agreeing",
    "; chưa có số liệu chất lượng/nhiệt độ, cần kiểm tra",
)


def _prefix(facts, vi: bool) -> str:
    f = {x.code: x.params for x in facts}
    link = f["link"]
    if link["relation"] == "pathway":
        how = (
            f"theo lộ trình {link['pathway']} ({link['pathway_name_vi']})"
            if vi
            else f"via pathway {link['pathway']} ({link['pathway_name_en']})"
        )
    else:
        how = _HOW[link["relation"]][vi]
    r = f["resources"]
    return (
        f"{r['offer_vi']} → {r['want_vi']} {how}"
        if vi
        else f"{r['offer_en']} → {r['want_en']} {how}"
    )


def _suffix(facts, vi: bool) -> str:
    f = {x.code: x.params for x in facts}
    if "licence" not in f:
        return ""
    lic = f["licence"]["licence"]
    return (
        f"; bên nhận phải có giấy phép '{lic}'" if vi else f"; receiver must hold licence '{lic}'"
    )


def render(facts, lang: str = "en") -> str:
    """The default wording of a match's facts (``lang`` en or vi)."""
    vi = lang.startswith("vi")
    f = {x.code: x.params for x in facts}
    link = f["link"]
    if link["relation"] == "pathway":
        how = (
            f"theo lộ trình {link['pathway']} ({link['pathway_name_vi']})"
            if vi
            else f"via pathway {link['pathway']} ({link['pathway_name_en']})"
        )
    else:
        how = _HOW[link["relation"]][vi]
    r = f["resources"]
    km = f["distance"]["distance_km"]
    if km is None:
        dist = "cùng KCN, chưa có khoảng cách" if vi else "same park, distance not given"
    else:
        dist = f"{km:.1f} km"
        dist = dist.replace(".", ",") if vi else dist
    ben = f"{f['benefit']['vnd_per_year'] / 1e6:,.0f}"
    pct = f"{f['coverage']['share_of_want']:.0%}"
    if vi:
        text = (
            f"{r['offer_vi']} → {r['want_vi']} {how}; {dist}; đáp ứng {pct} nhu cầu; "
            f"lợi ích ≈ {ben.replace(',', '.')} triệu đồng/năm"
        )
    else:
        text = (
            f"{r['offer_en']} → {r['want_en']} {how}; {dist}; covers {pct} of the want; "
            f"benefit ≈ {ben} million VND/year"
        )
    if "unverified" in f:
        text += (
            "; chưa có số liệu chất lượng/nhiệt độ, cần kiểm tra"
            if vi
            else "; quality or temperature not stated, check before agreeing"
        )
    if "licence" in f:
        lic = f["licence"]["licence"]
        text += (
            f"; bên nhận phải có giấy phép '{lic}'"
            if vi
            else f"; receiver must hold licence '{lic}'"
        )
    return text
