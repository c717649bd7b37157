"""The e-mail job of ``notices.services.notify``: one message per recipient, in the
recipient's profile language, through Django's e-mail framework."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from eiphub.jobs.api import hook, job_kind

from .events import render
from .models import Notice


def _language(user) -> str:
    lang = getattr(getattr(user, "profile", None), "language", None) or "vi"
    return lang if lang in dict(settings.LANGUAGES) else "vi"


def message_for(user, event: str, params: dict, url: str) -> mail.EmailMessage:
    with override(_language(user)):
        text = render(event, params)
        link = f"{getattr(settings, 'EIPHUB_BASE_URL', '').rstrip('/')}{url}" if url else ""
        body = "\n\n".join(
            p
            for p in (
                text,
                link,
                _("You can change which notices you receive on your notice preferences page."),
            )
            if p
        )
        subject = _("EIP Hub: %(text)s") % {"text": text[:120]}
    return mail.EmailMessage(subject, body, to=[user.email])


def digest_for(user, event: str, entries: list[tuple[dict, str]]) -> mail.EmailMessage:
    """One e-mail listing several notices of one event (a matching run's new matches)."""
    if len(entries) == 1:
        return message_for(user, event, *entries[0])
    base = getattr(settings, "EIPHUB_BASE_URL", "").rstrip("/")
    with override(_language(user)):
        lines = []
        for params, url in entries:
            lines.append(f"- {render(event, params)}")
            if url:
                lines.append(f"  {base}{url}")
        lines += [
            "",
            _("You can change which notices you receive on your notice preferences page."),
        ]
        subject = _("EIP Hub: %(n)d new notifications") % {"n": len(entries)}
    return mail.EmailMessage(subject, "\n".join(lines), to=[user.email])


@job_kind("notices.email", label=gettext_lazy("Notice e-mails"))
def send_notice_mails(
    job,
    *,
    event: str,
    user_ids: list[int] | None = None,
    params: dict | None = None,
    url: str = "",
    items: list[dict] | None = None,
):
    """E-mail the recipients of one notice (``user_ids``, ``params``, ``url``) or of
    several (``items``: one e-mail per recipient listing theirs)."""
    if items is None:
        items = [{"user_ids": user_ids or [], "params": params or {}, "url": url}]
    entries: dict[int, list[tuple[dict, str]]] = {}
    for item in items:
        for uid in item["user_ids"]:
            entries.setdefault(uid, []).append((item["params"], item.get("url", "")))
    done = set(job.result.get("sent", [])) if isinstance(job.result, dict) else set()
    users = (
        get_user_model()
        .objects.filter(pk__in=list(entries))
        .exclude(email="")
        .select_related("profile")
        .order_by("pk")
    )
    users = [u for u in users if u.pk not in done]
    with mail.get_connection() as conn:
        for u in users:
            msg = digest_for(u, event, entries[u.pk])
            msg.connection = conn
            msg.send()
            done.add(u.pk)
            type(job).objects.filter(pk=job.pk).update(result={"sent": sorted(done)})
    Notice.objects.filter(user_id__in=done, event=event, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    return {"message": _("%(n)d e-mails sent.") % {"n": len(done)}, "sent": sorted(done)}


@job_kind("notices.deliver", label=gettext_lazy("Notices"))
def deliver(job, *, user_ids: list[int], event: str, params: dict, url: str = ""):
    """The delivery ``services.notify_later`` queued from a request."""
    from .services import notify

    n = len(notify(user_ids, event, params, url, owner=job.owner))
    return {"notified": n, "message": _("%(n)d users notified.") % {"n": n}}


@hook("daily_reminders")
def deadline_reminders(job, today=None):
    """Every morning: tell each user of a deadline near or passed that they still owe,
    once per (user, deadline, period, kind); the DeadlineReminder row is the memory."""
    from collections import defaultdict

    from django.db import IntegrityError, transaction

    from eiphub.core.deadlines import load

    from .deadlines import deadlines_for
    from .models import DeadlineReminder
    from .services import notify

    roles = {r for d in load().values() for r in d.roles}
    users = (
        get_user_model()
        .objects.filter(is_active=True, profile__role__in=roles)
        .select_related("profile")
        .order_by("pk")
    )
    groups: dict[tuple, list[int]] = defaultdict(list)
    for u in users:
        for item in deadlines_for(u, today):
            if item["state"] not in ("near", "passed"):
                continue
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(
                        user=u, deadline=item["code"], period=item["period"], kind=item["state"]
                    )
            except IntegrityError:
                continue  # already reminded
            key = (
                item["state"],
                item["code"],
                item["period"],
                item["due"].isoformat(),
                item["url"],
            )
            groups[key].append(u.pk)
    sent = 0
    for (state, code, period, due, url), ids in groups.items():
        notify(ids, f"deadline_{state}", {"deadline": code, "period": period, "due": due}, url)
        sent += len(ids)
    return {"reminders": sent}
