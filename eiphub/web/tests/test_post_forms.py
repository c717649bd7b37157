"""The shared form pieces of issue 14 (``eiphub/web/forms.py``): a name posted with an empty
value is not the same as a name not posted."""

from django import forms
from django.http import QueryDict

from eiphub.accounts.forms import TokenForm
from eiphub.exchange.forms import EvidencePageForm
from eiphub.web.forms import PostedTextField, PresenceField, VersionForm


class _Probe(forms.Form):
    pressed = PresenceField()
    text = PostedTextField()
    stripped = PostedTextField(strip=True)


def _clean(query):
    form = _Probe(QueryDict(query))
    assert form.is_valid()
    return form.cleaned_data


def test_presence_and_posted_text():
    assert _clean("pressed=&text=&stripped=") == {"pressed": True, "text": "", "stripped": ""}
    assert _clean("") == {"pressed": False, "text": None, "stripped": None}
    assert _clean("text=+a+&stripped=+a+") == {"pressed": False, "text": " a ", "stripped": "a"}


def test_version_form_reads_the_posted_version():
    assert VersionForm(QueryDict("version=+7+")).read() == "7"
    assert VersionForm(QueryDict("")).read() is None
    assert VersionForm(QueryDict("version=")).read() is None


def test_which_submit_button_was_pressed():
    page = EvidencePageForm(QueryDict("upload=1&kind=x"))
    assert page.sent("upload") and not page.sent("evidence")
    assert not EvidencePageForm(None).sent("evidence")


def test_token_form_revoke_only_when_posted():
    form = TokenForm(QueryDict("name=ci"))
    assert form.is_valid() and form.cleaned_data == {"name": "ci", "revoke": None}
    form = TokenForm(QueryDict("revoke=12"))
    assert form.is_valid() and form.cleaned_data["revoke"] == "12"
