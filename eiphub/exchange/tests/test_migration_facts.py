"""Migration exchange 0009: a match stored with texts only keeps them as a note fact, one with
facts keeps its facts, and the text columns are gone; backwards restores the texts."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from eiphub.exchange.models import Listing, Match
from eiphub.testing import make_world

BEFORE = [("exchange", "0008_workflow_event")]
AFTER = [("exchange", "0009_match_facts_only")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_texts_become_a_note_and_facts_stay():
    w = make_world(with_flows=False)
    mk = lambda e, kind: Listing.objects.create(  # noqa: E731
        enterprise=e, kind=kind, resource_code="waste.plastic", quantity=10, unit="t"
    )
    old = Match.objects.create(offer=mk(w.e3, "offer"), want=mk(w.e1, "want"), score=0.5)
    new = Match.objects.create(
        offer=mk(w.e2, "offer"), want=mk(w.e1, "want"), score=0.6,
        facts=[{"code": "distance", "distance_km": 3.0}],
    )  # fmt: skip
    try:
        _migrate(BEFORE)
        with connection.cursor() as c:
            c.execute(
                "UPDATE exchange_match SET explanation = %s, explanation_vi = %s, facts = %s "
                "WHERE id = %s",
                ["Plastic, 3.0 km", "Nhựa, 3,0 km", "[]", old.pk],
            )
        _migrate(AFTER)
        old.refresh_from_db()
        new.refresh_from_db()
        assert old.facts == [{"code": "note", "en": "Plastic, 3.0 km", "vi": "Nhựa, 3,0 km"}]
        assert new.facts == [{"code": "distance", "distance_km": 3.0}]
        cols = [c.name for c in connection.introspection.get_table_description(
            connection.cursor(), "exchange_match")]  # fmt: skip
        assert "explanation" not in cols and "explanation_vi" not in cols
        # backwards: the note becomes the texts again
        _migrate(BEFORE)
        with connection.cursor() as c:
            c.execute("SELECT explanation_vi FROM exchange_match WHERE id = %s", [old.pk])
            assert c.fetchone()[0] == "Nhựa, 3,0 km"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app back to its latest


@pytest.mark.django_db
def test_a_note_is_shown_as_written_in_each_language():
    from django.utils import translation

    from eiphub.exchange.listings import note_facts, phrase_facts

    facts = note_facts("Plastic, 3.0 km", "Nhựa, 3,0 km")
    with translation.override("vi"):
        assert phrase_facts(facts) == "Nhựa, 3,0 km"
    with translation.override("en"):
        assert phrase_facts(facts) == "Plastic, 3.0 km"
    assert note_facts("", "") == [] and note_facts("Only English", "")[0]["vi"] == "Only English"
