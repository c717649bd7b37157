"""The exchange's stored-text notifications become notices (event ``legacy``, the text
as the ``text`` param; read flag, creation time and url kept), then the model goes.
Rows already copied by notices 0002 (same user, text and time) are not copied twice."""

from django.db import migrations


def copy_to_notices(apps, schema_editor):
    Notification = apps.get_model("exchange", "Notification")
    Notice = apps.get_model("notices", "Notice")
    seen = {
        (uid, (params or {}).get("text"), created)
        for uid, params, created in Notice.objects.filter(event="legacy").values_list(
            "user_id", "params", "created"
        )
    }
    batch = []

    def flush():
        created = Notice.objects.bulk_create([obj for obj, _t in batch])
        for obj, (_o, when) in zip(created, batch):
            obj.created = when  # auto_now_add stamped the insert time: put the original back
        Notice.objects.bulk_update(created, ["created"], batch_size=500)
        batch.clear()

    for n in Notification.objects.order_by("pk").iterator(chunk_size=2000):
        if (n.user_id, n.text, n.created) in seen:
            continue
        batch.append(
            (
                Notice(
                    user_id=n.user_id,
                    event="legacy",
                    params={"text": n.text},
                    url=n.url,
                    read=n.read,
                ),
                n.created,
            )
        )
        if len(batch) >= 1000:
            flush()
    if batch:
        flush()


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0009_match_facts_only"),
        ("notices", "0003_deadline_overrides_and_reminders"),
    ]
    operations = [
        migrations.RunPython(copy_to_notices, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
