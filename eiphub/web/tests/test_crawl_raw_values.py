"""Issue 13 point 5: no raw values on screen.  For every demo role and both languages, crawl
the GET pages breadth-first from the dashboard with the Django test client (same-origin links,
at most 3 URLs per url_name, at most MAX_PAGES pages per role and language) and check the
visible text of each page against the rules in crawl_rules.py."""

import datetime as dt
import json
import os
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from eiphub.accounts.twofactor import SESSION_KEY
from eiphub.registry.demo import load_demo
from eiphub.registry.management.commands.demo import run_extensions

from .crawl_rules import KNOWN, RULES

USERS = (
    "ministry",
    "board",
    "developer",
    "enterprise",
    "consultant",
    "enterprise2",
    "enterprise3",
    "enterprise4",
    "enterprise5",
)
PER_NAME = 3
MAX_PAGES = 150
# not pages to read: the admin, signing out, switching language, files and the API
SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/media/", "/api/")
HIDDEN = {"script", "style", "code", "pre", "template", "noscript"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _visible(html: str) -> tuple[str, list[str]]:
    p = _Page()
    p.feed(html)
    return re.sub(r"\s+", " ", " ".join(p.text)), p.links


def _url_name(path: str) -> str | None:
    try:
        m = resolve(path)
    except Resolver404:
        return None
    return m.view_name


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data once for the module, rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            load_demo(months=2, today=dt.date(2025, 12, 15))
            run_extensions(None)
            yield
            transaction.set_rollback(True)


def _client(username: str, lang: str) -> Client:
    c = Client()
    user = get_user_model().objects.get(username=username)
    c.force_login(user)
    session = c.session  # a verified two-factor session (ministry and board need one)
    session[SESSION_KEY] = user.pk
    session.save()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def crawl(username: str, lang: str) -> tuple[list[tuple[str, str, str, str]], int]:
    """Findings ``(url_name, rule, snippet, url)`` and the number of pages read."""
    c = _client(username, lang)
    seen_urls: set[str] = set()
    per_name: dict[str, int] = {}
    queue = deque(["/dashboard/"])
    findings = []
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        name = _url_name(urlsplit(url).path)
        if name is None or per_name.get(name, 0) >= PER_NAME:
            continue
        per_name[name] = per_name.get(name, 0) + 1
        resp = c.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        pages += 1
        text, links = _visible(resp.content.decode())
        for rule, regex, langs in RULES:
            if lang in langs:
                for m in regex.finditer(text):
                    findings.append((name, rule, m.group(0), url))
        for href in links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP_PREFIXES) or href in seen_urls:
                continue
            queue.append(href)
    return findings, pages


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("username", USERS)
def test_no_raw_values_on_any_page(demo, settings, username, lang):
    settings.EIPHUB_REQUIRE_2FA = True  # the session carries the two-factor mark
    findings, pages = crawl(username, lang)
    assert pages >= 5, f"{username}/{lang}: only {pages} pages reached"
    first_url: dict[tuple[str, str, str], str] = {}
    for n, r, s, u in findings:
        first_url.setdefault((n, r, s), u)
    new = sorted(k for k in first_url if k not in KNOWN)
    if os.environ.get("EIPHUB_CRAWL_DUMP"):  # a file to collect every finding (for KNOWN)
        with open(os.environ["EIPHUB_CRAWL_DUMP"], "a", encoding="utf-8") as fh:
            for (n, r, s), u in sorted(first_url.items()):
                fh.write(json.dumps([username, lang, n, r, s, u], ensure_ascii=False) + "\n")
    report = "\n".join(f"  {n} [{r}] {s!r} at {first_url[n, r, s]}" for n, r, s in new)
    assert not new, f"{username}/{lang}: {len(new)} raw values on screen:\n{report}"
