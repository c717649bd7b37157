"""Stored XSS (issue 18, finding 1): hostile names on every named object, every page, every role.

Every park, enterprise, organisation, facility, listing, scenario, study, RECP measure, agreement
note, match note, notification and report comment is renamed to a string carrying two script
payloads.  For every role, every page of the permission matrix that the role may open is loaded
in Chromium; map markers are hovered and every chart is asked to show its tooltip.  The test
fails if a payload ran (``window.__xss``), the browser reported a CSP violation (the policy
would have had to stop something that the escaping let through) or any console error.
"""

import pytest

from eiphub.accounts.tests.test_permission_matrix import PAGE_MATRIX
from eiphub.testing import make_world
from eiphub.testing.browser import chromium, login, new_page
from eiphub.testing.matrix import OK, ROLES

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror=window.__xss=1> "><script>window.__xss=1</script>'

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""

TOUCH = """() => {
  document.querySelectorAll('.park-map .leaflet-interactive').forEach(function (m) {
    m.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
    m.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  });
  if (window.EIPHub) {
    window.EIPHub.charts().forEach(function (c) {
      try { c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0}); } catch (e) {}
    });
  }
}"""


def hostile_world():
    """The permission-matrix world with every user-controlled name replaced by HOSTILE."""
    from eiphub.exchange.models import Agreement, Listing, MatchNote
    from eiphub.networks.models import HeatStudy, Scenario, WaterStudy
    from eiphub.notices.models import Notice
    from eiphub.recp.models import Measure
    from eiphub.registry.models import Enterprise, Organization, Park, SharedFacility
    from eiphub.reports.models import AnnualReport

    world = make_world()
    urls = {}
    for name, (make_url, expected) in PAGE_MATRIX.items():
        url = make_url(world)  # builds each app's fixture records on the world
        if url:
            urls[name] = (url, expected)
    Park.objects.update(name_vi=HOSTILE, name_en=HOSTILE)
    Enterprise.objects.update(name_vi=HOSTILE, name_en=HOSTILE)
    Organization.objects.update(name=HOSTILE)
    SharedFacility.objects.update(name=HOSTILE)
    Listing.objects.update(resource_text=HOSTILE, licence_required=HOSTILE)
    Agreement.objects.update(notes=HOSTILE)
    MatchNote.objects.update(text=HOSTILE)
    Notice.objects.update(event="legacy", params={"text": HOSTILE})
    Scenario.objects.update(name=HOSTILE, message=HOSTILE)
    WaterStudy.objects.update(name=HOSTILE)
    HeatStudy.objects.update(name=HOSTILE)
    Measure.objects.update(title=HOSTILE, notes=HOSTILE, assessed_by=HOSTILE)
    AnnualReport.objects.update(review_comment=HOSTILE)
    if not Scenario.objects.exists() or not Measure.objects.exists():
        raise AssertionError("the matrix fixtures should create a scenario and a measure")
    return world, urls


@pytest.mark.django_db(transaction=True)
def test_hostile_names_never_run_script_on_any_page_for_any_role(live_server):
    world, urls = hostile_world()
    failures, visited = [], 0
    with chromium() as browser:
        for role in ROLES:
            page = new_page(browser)
            page.add_init_script(WATCH)
            login(page, live_server.url, world.users[role].username)
            for name, (url, expected) in sorted(urls.items()):
                if expected.get(role) != OK:
                    continue
                page.console_errors.clear()
                try:
                    resp = page.goto(f"{live_server.url}{url}")
                except Exception as exc:  # a file download (docx, xlsx, csv): not a page
                    if "Download is starting" in str(exc):
                        continue
                    raise
                page.wait_for_load_state("networkidle")
                page.evaluate(TOUCH)
                page.wait_for_timeout(50)
                visited += 1
                state = page.evaluate("() => [window.__xss || 0, window.__csp || []]")
                if resp is not None and resp.headers.get("content-type", "").startswith(
                    "text/html"
                ):
                    assert "content-security-policy" in resp.headers, url
                # a fragment page (no <head>) makes the browser ask for /favicon.ico: not script
                errors = [e for e in page.console_errors if "Failed to load resource" not in e]
                if state[0] or state[1] or errors:
                    failures.append((role, name, url, state, errors))
            page.context.close()
    assert visited > 60
    assert failures == []


def test_every_response_carries_a_nonce_policy(client, db):
    resp = client.get("/accounts/login/")
    policy = resp["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy.split(";")[1]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert resp.context["csp_nonce"] == nonce  # templates put it on any inline script
    assert client.get("/accounts/login/")["Content-Security-Policy"] != policy  # per request


def test_no_template_has_inline_handlers_or_unnonced_scripts():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bad = []
    for tpl in root.rglob("templates/**/*.html"):
        text = tpl.read_text()
        if re.search(r"\son[a-z]+\s*=", text):
            bad.append((str(tpl), "inline handler"))
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "nonce=" not in tag and "application/json" not in tag and "src=" not in tag:
                bad.append((str(tpl), tag))
    assert bad == []
