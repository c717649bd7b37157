import pytest
from django.core import mail

from eiphub.notices.models import Notice, NoticePreference
from eiphub.notices.services import notify
from eiphub.testing import make_world

pytestmark = pytest.mark.django_db


def test_notify_writes_notices_and_mails_in_each_language(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    w = make_world(with_flows=False)
    users = list(w.users.values())[:2]
    users[0].email, users[1].email = "a@example.org", "b@example.org"
    for u, lang in zip(users, ("vi", "en"), strict=True):
        u.save()
        u.profile.language = lang
        u.profile.save()
    NoticePreference.objects.create(user=users[1], event="report_accepted", in_app=False)
    notify(users, "report_accepted", {"report": "R1"}, "/x/")
    assert list(Notice.objects.values_list("user_id", flat=True)) == [users[0].pk]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    en = next(m for m in mail.outbox if m.to == ["b@example.org"])
    assert "R1 was accepted." in en.body
    vi = next(m for m in mail.outbox if m.to == ["a@example.org"])
    assert "R1 was accepted." not in vi.body


def test_email_opt_out_is_respected(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    w = make_world(with_flows=False)
    u = next(iter(w.users.values()))
    u.email = "c@example.org"
    u.save()
    NoticePreference.objects.create(user=u, event="report_returned", email=False)
    notify([u], "report_returned", {"report": "R", "comment": "fix"})
    assert mail.outbox == []
    assert Notice.objects.get(user=u).event == "report_returned"
