"""Matches keep their explanation as facts only (issue 14: no column per language).

Rows written before facts existed (or by older demo data) keep their text as one ``note``
fact in both languages, so nothing a user has seen is lost; then the two text columns go."""

from django.db import migrations


def texts_to_facts(apps, schema_editor):
    Match = apps.get_model("exchange", "Match")
    old = Match.objects.filter(facts=[]).exclude(explanation="", explanation_vi="")
    batch = []
    for m in old.only("pk", "explanation", "explanation_vi").iterator(chunk_size=2000):
        en, vi = m.explanation, m.explanation_vi
        m.facts = [{"code": "note", "en": en or vi, "vi": vi or en}]
        batch.append(m)
        if len(batch) >= 2000:
            Match.objects.bulk_update(batch, ["facts"])
            batch = []
    Match.objects.bulk_update(batch, ["facts"])


def facts_to_texts(apps, schema_editor):
    Match = apps.get_model("exchange", "Match")
    for m in Match.objects.filter(facts__0__code="note").iterator():
        note = m.facts[0]
        Match.objects.filter(pk=m.pk).update(explanation=note["en"], explanation_vi=note["vi"])


class Migration(migrations.Migration):
    dependencies = [("exchange", "0008_workflow_event")]

    operations = [
        migrations.RunPython(texts_to_facts, facts_to_texts),
        migrations.RemoveField(model_name="match", name="explanation"),
        migrations.RemoveField(model_name="match", name="explanation_vi"),
    ]
