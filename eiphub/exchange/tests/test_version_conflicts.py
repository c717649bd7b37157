"""Optimistic concurrency on listings and agreements (issue 18): an edit names the version
it read; a stale edit is a 409 or a form message and writes nothing; every overwritten
value is kept in the history."""

import datetime as dt

import pytest
from django.test import Client

from eiphub.exchange import services as S
from eiphub.exchange.models import Agreement, ExchangeRecord, Listing, ListingEvent, Match
from eiphub.exchange.tests.factories import seed_examples
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _month(n_back: int) -> dt.date:
    today = dt.date.today().replace(day=1)
    y, mo = divmod(today.year * 12 + today.month - 1 - n_back, 12)
    return dt.date(y, mo + 1, 1)


@pytest.fixture
def setup():
    w = make_world()
    ents, users, L = seed_examples(w)
    return w, ents, users, L


def _form_data(listing: Listing, **over) -> dict:
    data = {
        "kind": listing.kind,
        "resource": listing.resource_code,
        "quantity": "1.250,5",  # vi locale
        "unit": listing.unit,
        "period": listing.period,
        "recurring": "on",
        "disclosure": listing.disclosure,
        "status": Listing.Status.DRAFT,
        "version": str(listing.version),
    }
    data.update(over)
    return data


def test_listing_page_edit_conflict_is_a_409_and_writes_nothing(setup):
    w, ents, users, L = setup
    listing = L["scrap"]
    owner = users["collector"]
    first, second = _client(owner), _client(owner)  # two tabs that read version 1
    url = f"/exchange/listings/{listing.pk}/edit/"
    assert 'name="version" value="1"' in first.get(url).content.decode()
    r1 = first.post(url, _form_data(listing, quantity="300"))
    assert r1.status_code == 302
    listing.refresh_from_db()
    assert listing.quantity == 300 and listing.version == 2
    r2 = second.post(url, _form_data(listing, quantity="777", version="1"))
    assert r2.status_code == 409
    page = r2.content.decode()
    assert 'value="777"' in page  # what was typed is kept
    assert 'name="version" value="2"' in page  # saving again is a choice made knowingly
    listing.refresh_from_db()
    assert listing.quantity == 300 and listing.version == 2
    # the history keeps the overwritten value
    (rev,) = ListingEvent.objects.filter(listing=listing, action="edit", field="quantity")
    assert rev.version == 2 and rev.user == owner
    assert rev.after == 300 and rev.before != 300
    detail = first.get(f"/exchange/listings/{listing.pk}/").content.decode()
    assert 'id="listing-history"' in detail
    # knowingly saved again on top of version 2
    r3 = second.post(url, _form_data(listing, quantity="777", version="2"))
    assert r3.status_code == 302
    listing.refresh_from_db()
    assert listing.quantity == 777 and listing.version == 3
    assert ListingEvent.objects.filter(listing=listing, field="quantity").count() == 2


def test_listing_history_is_the_owners_only(setup):
    w, ents, users, L = setup
    listing = L["scrap"]
    listing.disclosure = "public"
    listing.save()
    _client(users["collector"]).post(
        f"/exchange/listings/{listing.pk}/edit/",
        _form_data(listing, quantity="300", disclosure="public", status="published"),
    )
    assert ListingEvent.objects.filter(listing=listing, action="edit").exists()
    other = _client(users["recycler"]).get(f"/exchange/listings/{listing.pk}/")
    assert other.status_code == 200 and 'id="listing-history"' not in other.content.decode()


def test_listing_api_put_names_the_version(setup):
    w, ents, users, L = setup
    listing = L["scrap"]
    c = _client(users["collector"])
    got = c.get(f"/api/v1/exchange/listings/{listing.pk}").json()
    assert got["version"] == 1
    body = {
        "kind": "offer",
        "resource": listing.resource_code,
        "quantity": 410,
        "unit": listing.unit,
        "status": "draft",
        "version": 1,
    }
    url = f"/api/v1/exchange/listings/{listing.pk}"
    ok = c.put(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["quantity"] == 410 and ok.json()["version"] == 2
    stale = c.put(url, {**body, "quantity": 999}, content_type="application/json")
    assert stale.status_code == 409
    listing.refresh_from_db()
    assert listing.quantity == 410
    # the counterparty never sees the version nor may edit
    other = _client(users["recycler"])
    assert (
        other.put(url, {**body, "version": 2}, content_type="application/json").status_code == 404
    )


@pytest.fixture
def agreement(setup):
    w, ents, users, L = setup
    S.run_matching(w.k1)
    m = Match.objects.get(offer=L["scrap"], want=L["resin"])
    supplier, receiver = users["collector"], users["recycler"]
    for u in (receiver, supplier):
        S.accept(u, m)
    m.refresh_from_db()
    a = S.create_agreement(receiver, m, quantity_per_year=300, starts_on=_month(4))
    return a, supplier, receiver


def test_agreement_action_with_a_stale_version_changes_nothing(agreement):
    a, supplier, receiver = agreement
    read = a.version
    S.confirm_agreement(supplier, a, read_version=read)
    a.refresh_from_db()
    assert a.status == Agreement.Status.AGREED and a.version == read + 1
    # the receiver's page still shows the version before the confirmation
    with pytest.raises(S.TransitionError) as e:
        S.end_agreement(receiver, a, read_version=read)
    assert e.value.status == 409
    a.refresh_from_db()
    assert a.status == Agreement.Status.AGREED
    # through the page: a message, nothing written
    c = _client(receiver)
    r = c.post(f"/exchange/agreements/{a.pk}/do/end/", {"version": read}, follow=True)
    assert "meanwhile" in r.content.decode() or "trong lúc" in r.content.decode()
    a.refresh_from_db()
    assert a.status == Agreement.Status.AGREED
    # through the API: 409, then with the current version it works
    api = f"/api/v1/exchange/agreements/{a.pk}/operating"
    assert c.post(f"{api}?version={read}").status_code == 409
    ok = c.post(f"{api}?version={a.version}")
    assert ok.status_code == 200 and ok.json()["status"] == "operating"
    assert ok.json()["version"] == a.version + 1


def test_correcting_a_month_changed_since_is_refused(agreement):
    a, supplier, receiver = agreement
    S.confirm_agreement(supplier, a)
    S.mark_operating(supplier, a)
    a.refresh_from_db()
    read = a.version  # both parties open the agreement page
    S.record_exchange(supplier, a, _month(2), 20, read_version=read)
    # a new month from the other party's stale page is no conflict
    S.record_exchange(receiver, a, _month(1), 15, read_version=read)
    # but correcting the month the other party just recorded is
    with pytest.raises(S.TransitionError) as e:
        S.record_exchange(receiver, a, _month(2), 99, read_version=read)
    assert e.value.status == 409
    assert ExchangeRecord.objects.get(agreement=a, period=_month(2)).quantity == 20
    a.refresh_from_db()
    S.record_exchange(receiver, a, _month(2), 99, read_version=a.version)
    assert ExchangeRecord.objects.get(agreement=a, period=_month(2)).quantity == 99
