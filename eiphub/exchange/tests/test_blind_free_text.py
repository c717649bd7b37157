"""A blind listing's own words (an unresolved free text) never carry the firm's name, tax
code, address or contact details to other firms (issue 17/18)."""

import pytest

from eiphub.accounts.models import Role
from eiphub.exchange import services as S
from eiphub.exchange.models import Listing
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def test_blind_free_text_is_redacted_for_others_only():
    w = make_world(with_flows=False)
    ent = w.e3
    text = f"Bùn lạ của {ent.name_vi}, MST {ent.tax_code or '0101234567'}, gọi 0912 345 678"
    if not ent.tax_code:
        ent.tax_code = "0101234567"
        ent.save()
    listing = Listing.objects.create(
        enterprise=ent, kind="offer", resource_code="", resource_text=text,
        quantity=40, unit="t", status="published", disclosure="blind",
    )  # fmt: skip
    other = S.listing_view(S.Viewer(w.users[Role.ENTERPRISE]), listing, "vi")
    assert other.blind
    shown = other.resource_name
    assert ent.name_vi not in shown and ent.tax_code not in shown
    assert "0912" not in shown and "345 678" not in shown
    assert "Bùn lạ" in shown  # the rest of the words stay
    owner_user = type(w.users[Role.ENTERPRISE]).objects.create(username="owner_e3")
    from eiphub.accounts.models import Profile

    Profile.objects.update_or_create(
        user=owner_user, defaults={"role": Role.ENTERPRISE, "enterprise": ent}
    )
    mine = S.listing_view(S.Viewer(owner_user), listing, "vi")
    assert mine.resource_name == text
