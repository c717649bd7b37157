"""The demo's report approval logins (issue 13): after the demo load, ``preparer`` and
``approver`` log in with the demo password; the preparer creates an A.5 report of its
park and can only submit it for approval; the approver approves it, which files it with
the board; the preparer cannot approve and the approver's organisation is not the demo
``developer``'s (who keeps filing directly)."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from eiphub.accounts.scoping import parks_for
from eiphub.registry.demo import DEMO_PASSWORD, REPORT_ORG, load_demo
from eiphub.registry.management.commands.demo import run_extensions
from eiphub.reports import workflow
from eiphub.reports.models import AnnualReport, ReportRevision, ReportStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 15)


def _post_action(client, report, action):
    report.refresh_from_db()
    return client.post(
        reverse("reports:report_transition", args=[report.pk]),
        {"action": action, "stamp": workflow.stamp(report), "version": report.version},
    )


def test_preparer_submits_for_approval_and_approver_approves(client):
    # the demo as `eiphub demo` loads it (registry data, then every app's extension)
    load_demo(months=2, today=TODAY)
    run_extensions(None)
    preparer = authenticate(username="preparer", password=DEMO_PASSWORD)
    approver = authenticate(username="approver", password=DEMO_PASSWORD)
    developer = authenticate(username="developer", password=DEMO_PASSWORD)
    assert preparer and approver and developer
    assert preparer.profile.organization.name == approver.profile.organization.name == REPORT_ORG
    assert developer.profile.organization.name != REPORT_ORG
    parks = set(parks_for(preparer).values_list("code", flat=True))
    assert parks == {"DH-PK", "DH-AT"} == set(parks_for(approver).values_list("code", flat=True))

    # the preparer logs in through the login form and creates the A.5 report of DH-PK
    response = client.post(
        reverse("accounts:login"), {"username": "preparer", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("reports:report_create"), {"kind": "A5", "year": "2025", "park": "DH-PK"}
    )
    report = AnnualReport.objects.get(kind="A5", park__code="DH-PK", year=2025)
    assert response.status_code == 302 and report.status == ReportStatus.DRAFT
    assert workflow.allowed_actions(preparer, report) == ["submit_for_approval"]
    assert "approve" not in workflow.allowed_actions(approver, report)

    # filing directly is refused; submitting for approval works
    _post_action(client, report, "submit")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    _post_action(client, report, "submit_for_approval")
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVAL
    assert workflow.allowed_actions(preparer, report) == []
    _post_action(client, report, "approve")  # the preparer may not approve its own report
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVAL

    # the approver logs in and approves: the report is filed with the board
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "approver", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert workflow.allowed_actions(approver, report) == ["approve", "send_back"]
    assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 200
    _post_action(client, report, "approve")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    revision = ReportRevision.objects.get(report=report)
    assert (revision.submitted_by, revision.approved_by) == (preparer, approver)

    # the demo developer (another organisation, no approvers) still files directly
    park = parks_for(developer).order_by("code").first()
    own = workflow.create_report(developer, "A5", 2025, park=park)
    assert workflow.allowed_actions(developer, own) == ["submit"]
