"""Blind exchange, every output (issue 18, finding 2): before mutual acceptance an
enterprise learns no id, name or tax code of the counterparty, distances and quantities only
in bands, no share that gives a hidden quantity; "publish flows" publishes flows only."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Listing, Match
from eiphub.flows.exporter import export
from eiphub.flows.services import save_flow
from eiphub.networks.tests.test_services import park  # noqa: F401  (fixture)
from eiphub.recp.models import Measure
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_distance_bands():
    assert [S.distance_band(x) for x in (0.4, 4.99, 5, 19.9, 20, 49, 50, 300, None)] == [
        "< 5 km",
        "< 5 km",
        "5–20 km",
        "5–20 km",
        "20–50 km",
        "20–50 km",
        "> 50 km",
        "> 50 km",
        "—",
    ]


def test_scenarios_api_hides_counterparty_ids_and_exact_distance(park):  # noqa: F811
    from eiphub.networks import services as NS

    w = park
    s = NS.run_scenario(w.users[Role.BOARD], name="K1 plan", park=w.k1)
    board = _client(w.users[Role.BOARD]).get("/api/v1/networks/scenarios").json()
    assert any(r["supplier_id"] == w.e2.pk for r in board[0]["links"])  # full view keeps ids
    for url in ("/api/v1/networks/scenarios", f"/api/v1/networks/scenarios/{s.pk}"):
        data = _client(w.users[Role.ENTERPRISE]).get(url).json()
        row = (data[0] if isinstance(data, list) else data)["links"][0]
        assert row["receiver_id"] == w.e1.pk  # own side
        assert row["supplier_id"] is None and row["offer_id"] is None
        assert row["distance_km"] is None and row["distance_band"].endswith("km")
        assert row["flow"] is None and row["flow_band"] == "100–500 t/year"
        assert str(w.L["near"].pk) not in row["link"].split("->")
    page = _client(w.users[Role.ENTERPRISE]).get(f"/networks/scenarios/{s.pk}/")
    assert page.status_code == 200 and w.e2.name_vi not in page.content.decode()


@pytest.fixture
def pair(db):
    w = make_world(with_flows=False)
    offer = Listing.objects.create(enterprise=w.e3, kind="offer", resource_code="waste.plastic",
                                   quantity=1250, unit="t", status="published")  # fmt: skip
    want = Listing.objects.create(enterprise=w.e1, kind="want", resource_code="waste.plastic",
                                  quantity=100, unit="t", status="published")  # fmt: skip
    w.match = Match.objects.create(
        offer=offer,
        want=want,
        score=0.7,
        distance_km=13.37,
        matched_quantity=100,
        unit="t",
        facts=[  # as the matcher stores them (symbiosis.matching.explain)
            {"code": "link", "relation": "same"},
            {
                "code": "resources",
                "offer_en": "Plastic",
                "offer_vi": "Nhựa",
                "want_en": "Plastic",
                "want_vi": "Nhựa",
            },
            {"code": "distance", "distance_km": 13.37},
            {"code": "coverage", "share_of_want": 0.08},
            {"code": "benefit", "vnd_per_year": 123e6},
        ],  # fmt: skip
    )
    return w


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_match_explanation_before_reveal_has_bands_only(pair, lang):
    w = pair
    view = S.match_view(S.Viewer(w.users[Role.ENTERPRISE]), w.match, lang)
    assert view.distance_km is None and view.distance_band == "5–20 km"
    assert "13" not in view.explanation and "%" not in view.explanation
    assert "123" not in view.explanation and "5–20 km" in view.explanation
    api = _client(w.users[Role.ENTERPRISE]).get(f"/api/v1/exchange/matches/{w.match.pk}").json()
    assert api["distance_km"] is None and "8%" not in api["explanation"]
    w.match.offer_accepted = w.match.want_accepted = True
    w.match.save()
    revealed = S.match_view(S.Viewer(w.users[Role.ENTERPRISE]), w.match, lang)
    assert revealed.distance_km == 13 and ("13.4 km" in revealed.explanation) == (lang == "en")


def test_rollup_gives_an_enterprise_no_neighbour_ids(db):
    w = make_world(with_flows=False)
    mine = Measure.objects.create(enterprise=w.e1, title="LED", practice="equipment",
                                  investment_vnd=10, status="implemented", implemented_on=dt.date(2024, 1, 1))  # fmt: skip
    theirs = Measure.objects.create(enterprise=w.e2, title="Pipes", practice="equipment",
                                    investment_vnd=20, status="implemented", implemented_on=dt.date(2024, 1, 1))  # fmt: skip
    board = _client(w.users[Role.BOARD]).get("/api/v1/recp/rollup").json()
    assert str(theirs.pk) in board["records"]["measures_identified"]
    data = _client(w.users[Role.ENTERPRISE]).get("/api/v1/recp/rollup").json()
    ids = {i for ids in data["records"].values() for i in ids}
    assert str(theirs.pk) not in ids and str(w.e2.pk) not in ids
    assert str(mine.pk) in data["records"]["measures_identified"]
    assert data["parks"] == []  # K1 has 2 enterprises, fewer than the minimum group of 3


def _csv(data: bytes):
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=","))


def test_flows_export_never_names_a_non_publishing_third_party(db):
    w = make_world(with_flows=False)
    w.e2.publish_flows = True
    w.e2.save()
    save_flow(owner=w.e2, resource_code="waste.plastic", direction="out", period=dt.date(2024, 1, 1),
              quantity=3, unit="t", fate="sold", counterparty=w.e3)  # fmt: skip
    rows = _csv(export("flows", w.users[Role.ENTERPRISE], fmt="csv", lang="en"))
    assert rows and all(w.e3.tax_code not in r.values() for r in rows)
    assert any(w.e2.tax_code in r.values() for r in rows)  # the publisher itself is named


def test_publish_flows_does_not_publish_finance_coordinates_or_measures(db):
    w = make_world()
    w.e2.publish_flows = True
    w.e2.revenue_vnd, w.e2.latitude = 987_654_321_000, 20.123
    w.e2.save()
    Measure.objects.create(enterprise=w.e2, title="Secret measure", practice="equipment",
                           investment_vnd=211_700_000_000)  # fmt: skip
    user = w.users[Role.ENTERPRISE]
    c = _client(user)
    assert c.get(f"/api/v1/flows/{w.flows['e2'].pk}").status_code == 200  # flows: published
    rows = _csv(export("enterprises", user, fmt="csv", lang="en"))
    assert [r for r in rows if w.e2.tax_code in r.values()] == []
    assert "Secret measure" not in str(c.get("/api/v1/recp/measures").json())
    assert "Secret measure" not in c.get("/recp/").content.decode()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_blind_sentence_is_built_without_the_exact_figures(pair, lang):
    """The blind sentence leaves the figures out when it is built (no pattern over translated
    wording that a new translation could slip past)."""
    from django.utils import translation

    from eiphub.exchange.listings import phrase_facts

    with translation.override(lang):
        blind = phrase_facts(pair.match.facts, blind=True)
        full = phrase_facts(pair.match.facts)
    assert "5–20 km" in blind and "%" not in blind and "123" not in blind and "13" not in blind
    assert "8%" in full and "123" in full and "13" in full
