"""Demo for both sides of the exchange (issue 17): four more enterprise logins in
different parks and sectors, with listings, a negotiation in progress (one message
already relayed without its phone number), a completed agreement with both sides'
trust records, and the licensed-handler directory (imported from a published-list
file) with one hazardous flow routed to its licensed handler.  All fictional.

``prepare`` runs before the demo matching (listings, directory), ``finish`` after it
(workflow state); both do nothing when their records exist."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from eiphub.registry.models import Enterprise, Province

AGREEMENT_NOTE = "Dữ liệu minh họa (illustrative): dầu thải giao cho đơn vị có giấy phép CTNH"
DEMO_SOURCE = "ds-ctnh-duyen-hai-minh-hoa.csv"
# login -> demo flagship (registry/demo.py FLAGSHIPS): park, sector
LOGINS = {
    "enterprise2": "garment",  # DH-DH, garments (offers plastic film)
    "enterprise3": "moulder",  # DH-NK, plastics moulding (wants plastic scrap)
    "enterprise4": "steel",  # DH-HH, steelmaking (offers used oil, hazardous)
    "enterprise5": "treatment",  # DH-NK, licensed hazardous-waste treatment
}
BUYER_MESSAGE = (
    "Chúng tôi cần khoảng 60 tấn/năm màng PE sạch cho dây chuyền tái sinh. "
    "Anh chị gọi 0912 345 678 để trao đổi nhé."
)
SELLER_MESSAGE = "Màng PE từ xưởng cắt, đã phân loại theo màu; giao hàng tháng được."


def _flagships() -> dict[str, Enterprise]:
    from eiphub.registry.demo import FLAGSHIPS

    names = {k: v[2] for k, v in FLAGSHIPS.items()}
    by_name = {e.name_vi: e for e in Enterprise.objects.filter(name_vi__in=names.values())}
    return {k: by_name[n] for k, n in names.items() if n in by_name}


def _listing(ent, kind, code, qty, **kw):
    """The demo listing (found again by owner, kind, resource and its description)."""
    from .models import Listing

    kw.pop("key")
    obj = Listing.objects.filter(
        enterprise=ent, kind=kind, resource_code=code, resource_text=kw["resource_text"]
    ).first()
    if obj is None:
        obj = Listing.objects.create(
            enterprise=ent,
            kind=kind,
            resource_code=code,
            quantity=qty,
            status=Listing.Status.PUBLISHED,
            **kw,
        )
    return obj


# name -> (flagship, kind, resource, description): the listings `prepare` publishes
LISTINGS = {
    "film": ("garment", "offer", "waste.plastic.film", "Màng PE thải từ xưởng cắt"),
    "plastic": ("moulder", "want", "waste.plastic", "Phế liệu nhựa PE/PP để tái sinh"),
    "used_oil": ("steel", "offer", "waste.hazardous.used_oil", "Dầu thải từ hệ thủy lực và hộp số"),
    "used_oil_treat": (
        "treatment",
        "want",
        "waste.hazardous.used_oil",
        "Thu gom, xử lý dầu thải (có giấy phép CTNH)",
    ),
    "used_oil_collect": (
        "collector",
        "want",
        "waste.hazardous.used_oil",
        "Thu mua dầu thải, có giấy phép xử lý CTNH",
    ),
}


def demo_listings() -> dict:
    """name -> the demo listing of :data:`LISTINGS` (those that exist)."""
    from .models import Listing

    f = _flagships()
    out = {}
    for name, (flag, kind, code, text) in LISTINGS.items():
        if flag in f:
            x = (
                Listing.objects.filter(
                    enterprise=f[flag], kind=kind, resource_code=code, resource_text=text
                )
                .select_related("enterprise__park")
                .first()
            )
            if x is not None:
                out[name] = x
    return out


def _directory_csv(f: dict[str, Enterprise], today: dt.date) -> bytes:
    later = today.replace(year=today.year + 2).strftime("%d/%m/%Y")
    lapsed = (today - dt.timedelta(days=90)).strftime("%d/%m/%Y")
    head = (
        "Số giấy phép;Tên tổ chức;Mã số thuế;Hoạt động;Mã CTNH;Công suất (tấn/năm);"
        "Ngày cấp;Ngày hết hạn;Cơ quan cấp;Tỉnh"
    )
    authority = "Bộ Nông nghiệp và Môi trường (minh họa)"
    rows = [
        f"1-2-3-4-5-6.071.VX (minh họa);{f['treatment'].name_vi};{f['treatment'].tax_code};"
        f"Thu gom, vận chuyển, xử lý, tái chế;17 02, 12 06, 18 02 01, 16 01 06;12000;"
        f"01/03/2023;{later};{authority};Duyên Hải",
        f"2-3-4.052.VX (minh họa);{f['collector'].name_vi};{f['collector'].tax_code};"
        f"Thu gom, vận chuyển;17 02 03;800;01/01/2021;{lapsed};{authority};Duyên Hải",
        "3-5.118.VX (minh họa);Công ty CP Xử lý Chất thải Công nghiệp Hồng Hà (minh họa);;"
        f"Xử lý;19 06 01, 16 01 13;5000;15/06/2024;{later};{authority};Hải Phòng",
    ]
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def prepare(stdout=None) -> dict:
    """Users, listings and the directory (before matching)."""
    from eiphub.accounts.models import Profile
    from eiphub.registry.demo import DEMO_MAIL_DOMAIN, DEMO_PASSWORD

    from .handlers import import_handlers
    from .models import HandlerLicence, Listing

    f = _flagships()
    if not all(k in f for k in (*LOGINS.values(), "collector")):
        return {}
    today = dt.date.today()
    User = get_user_model()
    pw = make_password(DEMO_PASSWORD)
    for i, (name, key) in enumerate(LOGINS.items(), start=2):
        u = User.objects.filter(username=name).first() or User(username=name)
        u.password, u.is_active, u.first_name = pw, True, f"Doanh nghiệp {i}"
        u.email = f"{name}@{DEMO_MAIL_DOMAIN}"
        u.save()
        Profile.objects.update_or_create(
            user=u, defaults={"role": "enterprise", "enterprise": f[key], "language": "vi"}
        )
    if not HandlerLicence.objects.filter(source=DEMO_SOURCE, enterprise=f["treatment"]).exists():
        import_handlers(io.BytesIO(_directory_csv(f, today)), DEMO_SOURCE, today=today)
    blind = Listing.Disclosure.BLIND
    _listing(
        f["garment"],
        "offer",
        "waste.plastic.film",
        5,
        unit="t",
        period=Listing.Period.MONTH,
        resource_text="Màng PE thải từ xưởng cắt",
        site="Xưởng cắt số 2",
        disclosure=blind,
        key="film",
    )
    _listing(
        f["moulder"],
        "want",
        "waste.plastic",
        80,
        unit="t",
        resource_text="Phế liệu nhựa PE/PP để tái sinh",
        disclosure=blind,
        key="plastic",
    )
    _listing(
        f["steel"],
        "offer",
        "waste.hazardous.used_oil",
        24,
        unit="t",
        hazardous=True,
        licence_required="Giấy phép xử lý CTNH",
        resource_text="Dầu thải từ hệ thủy lực và hộp số",
        disclosure=blind,
        key="used_oil",
    )
    _listing(
        f["treatment"],
        "want",
        "waste.hazardous.used_oil",
        300,
        unit="t",
        resource_text="Thu gom, xử lý dầu thải (có giấy phép CTNH)",
        disclosure=Listing.Disclosure.PUBLIC,
        key="used_oil_treat",
    )
    # a collector whose licence has expired wants the same oil: it is never matched
    _listing(
        f["collector"],
        "want",
        "waste.hazardous.used_oil",
        100,
        unit="t",
        resource_text="Thu mua dầu thải, có giấy phép xử lý CTNH",
        disclosure=blind,
        key="used_oil_collect",
    )
    return {"issue17_logins": len(LOGINS)}


def _ensure_match(offer, want):
    """The demo pair as a match (the matcher finds it; this only guards the demo
    against a future ranking change that would leave it out)."""
    from . import services as S
    from .models import Match

    m = Match.objects.filter(offer=offer, want=want).first()
    if m is not None:
        return m
    found = [
        x
        for x in S.core.match(S.core_listings([offer, want]))
        if (x.offer_id, x.want_id) == (str(offer.pk), str(want.pk))
    ]
    if not found:
        return None
    values = dict(zip(S.MATCH_VALUE_FIELDS, S._match_values(found[0]), strict=True))
    return Match.objects.create(offer=offer, want=want, **values)


def finish(stdout=None) -> dict:
    """The negotiation in progress and the completed agreement (after matching)."""
    from . import services as S
    from .models import Agreement, AgreementReview, ExchangeRecord, MatchNote

    f = _flagships()
    lst = demo_listings()
    if not {"film", "plastic"} <= set(lst):
        return {}
    users = {key: get_user_model().objects.get(username=name) for name, key in LOGINS.items()}
    m = _ensure_match(lst["film"], lst["plastic"])
    if m is not None and not MatchNote.objects.filter(match=m, kind="note").exists():
        S.express_interest(users["moulder"], m)
        S.add_note(users["moulder"], m, BUYER_MESSAGE)  # relayed without the phone number
        S.add_note(users["garment"], m, SELLER_MESSAGE)
    if not Agreement.objects.filter(notes=AGREEMENT_NOTE).exists():
        today = dt.date.today().replace(day=1)

        def month(n):
            y, mo = divmod(today.year * 12 + today.month - 1 - n, 12)
            return dt.date(y, mo + 1, 1)

        a = Agreement.objects.create(
            supplier=f["steel"],
            receiver=f["treatment"],
            resource_code="waste.hazardous.used_oil",
            quantity_per_year=20,
            unit="t",
            price_vnd_per_unit=-2_500_000,
            starts_on=month(14),
            ends_on=month(2),
            status=Agreement.Status.ENDED,
            supplier_confirmed=True,
            receiver_confirmed=True,
            pathway="treatment",
            notes=AGREEMENT_NOTE,
        )
        ExchangeRecord.objects.bulk_create(
            [
                ExchangeRecord(agreement=a, period=month(n), quantity=q)
                for n, q in zip(
                    range(14, 2, -1),
                    [1.6, 1.7, 1.8, 1.5, 1.7, 1.6, 1.9, 1.7, 1.6, 1.8, 1.7, 1.6],
                    strict=True,
                )
            ]
        )
        AgreementReview.objects.create(
            agreement=a,
            side="receiver",
            author=users["treatment"],
            quantity_as_promised=True,
            quality_as_promised=True,
            on_time=False,
            comment="Hai lần giao chậm một tuần; khối lượng và chất lượng đúng hợp đồng.",
        )
        AgreementReview.objects.create(
            agreement=a,
            side="supplier",
            author=users["steel"],
            quantity_as_promised=True,
            quality_as_promised=True,
            on_time=True,
            comment="Thu gom đúng lịch, có chứng từ chất thải nguy hại đầy đủ.",
        )
    return {"issue17_negotiation": m.pk if m else None}


def load(stdout=None) -> dict:
    """Both steps with the province's matching between them (for tests and tools)."""
    from eiphub.registry.demo import PROVINCE_CODE

    from .services import run_matching

    out = prepare(stdout)
    province = Province.objects.filter(code=PROVINCE_CODE).first()
    if province is not None and out:
        run_matching(province)
    return {**out, **finish(stdout)}
