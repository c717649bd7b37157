"""Copy the exchange app's text notifications into notices (event ``legacy``, the
text kept as a parameter)."""

from django.db import migrations


def forward(apps, schema_editor):
    Notification = apps.get_model("exchange", "Notification")
    Notice = apps.get_model("notices", "Notice")
    for n in Notification.objects.order_by("pk").iterator():
        obj = Notice.objects.create(
            user_id=n.user_id, event="legacy", params={"text": n.text}, url=n.url, read=n.read
        )
        Notice.objects.filter(pk=obj.pk).update(created=n.created)  # keep the original time


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_notices"),
        ("exchange", "0007_negotiation_handlers_trust"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
