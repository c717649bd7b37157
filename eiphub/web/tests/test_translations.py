"""The project catalogue (eiphub/locale/vi) is complete, consistent and compiled, and the
main pages really come out in Vietnamese (with the English source strings gone)."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.html import escape

from eiphub.accounts.models import Profile, Role
from eiphub.testing import PASSWORD, make_world

LC = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
PO = LC / "django.po"
MO = LC / "django.mo"

# printf-style placeholders (%(name)s, %s, %d, %.1f, %%) and template/brace ones.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]|\{\{[^}]*\}\}|\{\w*\}")
FIELD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[N], flags.

    Obsolete entries (``#~``) are skipped; strings are unescaped like C literals."""
    entries, cur, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur is not None and "msgid" in cur:
                entries.append(cur)
            cur, key = None, None
            continue
        if cur is None:
            cur = {"flags": set()}
        if line.startswith("#,"):
            cur["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            cur[key] += ast.literal_eval(line)
        else:
            m = FIELD.match(line)
            assert m, f"{path.name}: cannot parse line {line!r}"
            key = m.group(1)
            cur[key] = ast.literal_eval(m.group(2))
    return entries


def translations(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


def catalogue_key(entry: dict):
    msgid = entry["msgid"]
    if "msgctxt" in entry:
        msgid = f"{entry['msgctxt']}\x04{msgid}"
    return (msgid, 0) if "msgid_plural" in entry else msgid


def label(entry: dict) -> str:
    ctx = f"[{entry['msgctxt']}] " if "msgctxt" in entry else ""
    return ctx + repr(entry["msgid"])


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    return parse_po(PO)


@pytest.fixture(scope="module")
def messages(entries) -> list[dict]:
    return [e for e in entries if e["msgid"]]


def test_header_declares_vietnamese_with_one_plural_form(entries):
    header = next(e for e in entries if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: vi\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]


def test_catalogue_is_substantial_and_unique(messages):
    keys = [(e.get("msgctxt"), e["msgid"]) for e in messages]
    assert len(keys) > 500
    assert len(keys) == len(set(keys))


def test_no_fuzzy_and_no_empty_translation(messages):
    fuzzy = [label(e) for e in messages if "fuzzy" in e["flags"]]
    empty = [label(e) for e in messages if not all(s.strip() for s in translations(e))]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    assert not empty, f"untranslated entries: {empty[:10]}"


def test_plural_entries_have_exactly_one_form(messages):
    plural = [e for e in messages if "msgid_plural" in e]
    assert plural
    bad = [
        label(e) for e in plural if sorted(k for k in e if k.startswith("msgstr")) != ["msgstr[0]"]
    ]
    assert not bad, bad


def test_placeholders_match(messages):
    bad = []
    for e in messages:
        sources = [e["msgid"]] + ([e["msgid_plural"]] if "msgid_plural" in e else [])
        # The plural source is the reference when present (the singular may omit the number).
        expected = Counter(PLACEHOLDER.findall(sources[-1]))
        for s in translations(e):
            if Counter(PLACEHOLDER.findall(s)) != expected:
                bad.append((label(e), s))
    assert not bad, f"placeholders differ: {bad[:10]}"


def test_html_tags_kept(messages):
    tag = re.compile(r"</?[a-zA-Z][^>]*>")
    bad = [
        label(e)
        for e in messages
        for s in translations(e)
        if Counter(tag.findall(e["msgid"])) != Counter(tag.findall(s))
    ]
    assert not bad, bad


def test_mo_matches_po(messages):
    """The committed .mo holds exactly the .po's translations (no msgfmt needed)."""
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    wrong = []
    for e in messages:
        key = catalogue_key(e)
        expected = e.get("msgstr", e.get("msgstr[0]"))
        if catalog.get(key) != expected:
            wrong.append(label(e))
    extra = {k for k in catalog if k != ""} - {catalogue_key(e) for e in messages}
    assert not wrong, f".mo is stale for {len(wrong)} entries, e.g. {wrong[:5]}: compile it"
    assert not extra, f".mo has entries the .po lacks, e.g. {sorted(map(str, extra))[:5]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) not installed")
def test_mo_equals_fresh_msgfmt_compilation(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(PO)], check=True)
    with out.open("rb") as f:
        fresh = gettext.GNUTranslations(f)._catalog
    with MO.open("rb") as f:
        committed = gettext.GNUTranslations(f)._catalog
    fresh.pop("", None), committed.pop("", None)  # headers differ only in dates
    assert committed == fresh


# --- rendered pages -------------------------------------------------------------------------

PAGES = {
    # name: (url, role or None for anonymous, msgids that must appear translated)
    "login": (
        "/accounts/login/",
        None,
        [
            "Log in to EIP Hub",
            "Log in",
            "Information system for Vietnam's eco-industrial parks",
        ],
    ),
    "parks": ("/parks/", Role.BOARD, ["Industrial parks", "Eco status", "Area (ha)", "Occupancy"]),
    "dashboard": (
        "/dashboard/",
        Role.BOARD,
        ["Province dashboard", "Data completeness (mean of parks)", "Investment mobilised (RECP)"],
    ),
    "exchange": (
        "/exchange/",
        Role.ENTERPRISE,
        [
            "Waste and by-product exchange",
            "My listings",
            "Marketplace",
            "Generate offers from my flows",
        ],
    ),
}


def on_page(text: str, html: str) -> bool:
    """Template literals are output unescaped, values from code escaped: accept either."""
    return text in html or escape(text) in html


def _render(client, world, url, role, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if role is not None:
        user = world.users[role]
        Profile.objects.filter(user=user).update(language=language)  # the user's own choice too
        client.login(username=user.username, password=PASSWORD)
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.headers["Content-Language"] == language
    return resp.content.decode()


@pytest.fixture
def world(db):
    return make_world()


@pytest.mark.parametrize("page", list(PAGES))
def test_page_in_vietnamese(client, world, messages, page):
    url, role, msgids = PAGES[page]
    po = {e["msgid"]: e["msgstr"] for e in messages if "msgctxt" not in e and "msgstr" in e}
    html = _render(client, world, url, role, "vi")
    for msgid in msgids:
        vi = po[msgid]
        assert vi != msgid
        assert on_page(vi, html), f"{page}: {vi!r} missing"
        assert not on_page(msgid, html), f"{page}: English {msgid!r} still shown"
    # Navigation and language switch come from the same catalogue on every page.
    assert on_page(po["Log out" if role else "Log in"], html)


@pytest.mark.parametrize("page", list(PAGES))
def test_same_page_in_english_shows_the_sources(client, world, page):
    """Proves the strings checked above are really on the page."""
    url, role, msgids = PAGES[page]
    html = _render(client, world, url, role, "en")
    for msgid in msgids:
        assert on_page(msgid, html), f"{page}: {msgid!r} not on the English page"


def test_literal_vietnamese_on_board_dashboard(client, world):
    html = _render(client, world, "/dashboard/", Role.BOARD, "vi")
    for text in ("Bảng điều khiển cấp tỉnh", "Độ đầy đủ dữ liệu", "Đăng xuất"):
        assert text in html
    for english in ("Province dashboard", "Data completeness", "Log out", "Enterprises"):
        assert english not in html


def test_one_vietnamese_catalogue():
    """Every app's strings live in eiphub/locale; no app keeps a catalogue of its own."""
    base = Path(settings.BASE_DIR)
    catalogues = sorted(str(p.relative_to(base)) for p in base.rglob("LC_MESSAGES/django.po"))
    assert catalogues == ["locale/vi/LC_MESSAGES/django.po"]


def test_every_python_msgid_has_a_vietnamese_translation():
    """A scan of `_("...")` / `_l("...")` in the code: each literal has a non-empty msgstr."""
    import gettext
    import re

    base = Path(settings.BASE_DIR)
    with open(base / "locale" / "vi" / "LC_MESSAGES" / "django.mo", "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)._catalog
    literal = re.compile(r'\b_l?\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]')
    missing = set()
    for path in base.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for msgid in literal.findall(path.read_text(encoding="utf-8")):
            if "\\" not in msgid and not catalogue.get(msgid):
                missing.add((str(path.relative_to(base)), msgid))
    assert not missing, sorted(missing)
