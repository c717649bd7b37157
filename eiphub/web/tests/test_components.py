"""Base layout, components, error and login pages render correctly in both languages.

Runs against a small URLconf of its own so it does not depend on the other apps' routes.
"""

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.template import loader
from django.test import RequestFactory
from django.urls import include, path
from django.utils import translation

WEB = Path(__file__).resolve().parents[1]


def _view(request):
    return HttpResponse("")


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(([path("", _view, name="home")], "web"))),
]

pytestmark = pytest.mark.urls(__name__)


class FakeUser:
    """An authenticated user with a profile, without touching the database."""

    is_authenticated = True
    is_superuser = False
    is_staff = False
    is_active = True
    username = "board"

    def __init__(self, role="board", role_label="Management board"):
        self.profile = SimpleNamespace(role=role, get_role_display=lambda: role_label)

    def get_username(self):
        return self.username

    def get_full_name(self):
        return "Nguyễn Văn A"


def make_request(path="/", user=None, messages=(), **params):
    request = RequestFactory().get(path, params)
    request.user = user or AnonymousUser()
    request._messages = list(messages)
    return request


def render(template, context=None, request=None, lang="vi"):
    with translation.override(lang):
        return loader.render_to_string(template, context or {}, request or make_request())


def test_base_anonymous_vi_has_language_form_login_link_and_assets():
    out = render("base.html", {"illustrative_data": False})
    assert '<html lang="vi">' in out
    assert 'action="/i18n/setlang/" method="post"' in out
    assert 'name="csrfmiddlewaretoken"' in out
    assert '<input type="hidden" name="next" value="/">' in out
    assert 'value="vi" lang="vi" class="is-active" aria-pressed="true"' in out
    assert 'href="/accounts/login/">Đăng nhập</a>' in out
    assert "Đăng xuất" not in out
    for asset in (
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/leaflet/leaflet.js",
        "eiphub/app.js",
    ):
        assert f'<script src="/static/{asset}" defer></script>' in out
    assert 'href="/static/eiphub/app.css"' in out
    assert "EIP Hub — Khu công nghiệp sinh thái" in html.unescape(re.sub(r"<[^>]+>", "", out))
    assert "ribbon--illustrative" not in out


def test_base_without_nav_items_shows_only_home_link():
    out = render("base.html", {"nav_items": []})
    nav = out.split('<nav id="main-nav"')[1].split("</nav>")[0]
    assert re.findall(r"<a href=\"([^\"]+)\"", nav) == ["/"]
    assert ">Trang chủ</a>" in nav


def test_base_with_nav_items_marks_the_active_one():
    items = [("/parks/", "Khu công nghiệp", False), ("/dashboard/", "Bảng điều khiển", True)]
    out = render("base.html", {"nav_items": items}, make_request("/dashboard/"))
    assert '<a href="/parks/">Khu công nghiệp</a>' in out
    assert '<a href="/dashboard/" class="is-active" aria-current="page">Bảng điều khiển</a>' in out


def test_base_authenticated_shows_user_role_badge_and_logout_form():
    request = make_request("/x/?a=1", user=FakeUser())
    out = render("base.html", {"user_role": "board"}, request, lang="en")
    assert '<html lang="en">' in out
    assert 'value="en" lang="en" class="is-active" aria-pressed="true"' in out
    assert '<input type="hidden" name="next" value="/x/?a=1">' in out
    assert 'data-role="board">Management board</span>' in out
    assert 'action="/accounts/logout/" method="post"' in out
    assert ">Log out</button>" in out


def test_base_illustrative_ribbon_and_footer_note():
    out = render("base.html", {"illustrative_data": True})
    assert "Dữ liệu minh họa · Illustrative data" in out
    assert "không phải số liệu thống kê chính thức" in out


def test_base_shows_messages_with_level_class():
    request = make_request(
        messages=[Message(constants.SUCCESS, "Đã lưu."), Message(constants.ERROR, "Lỗi tệp.")]
    )
    out = render("base.html", {}, request)
    assert '<li class="message message--success" role="status">Đã lưu.</li>' in out
    assert '<li class="message message--error" role="alert">Lỗi tệp.</li>' in out


def test_login_page_vi_with_errors_next_and_demo_logins():
    request = make_request("/accounts/login/")
    form = AuthenticationForm(request, data={"username": "x", "password": "y"})
    form.cleaned_data, form._errors = {}, ErrorDict()  # what a failed authenticate() leaves
    with translation.override("vi"):
        form.add_error(None, form.get_invalid_login_error())
    context = {"form": form, "next": "/parks/", "demo_logins": ["ministry", "board"]}
    out = render("registration/login.html", context, request)
    assert "Đăng nhập EIP Hub" in out
    assert '<input type="hidden" name="next" value="/parks/">' in out
    assert 'name="username"' in out and 'type="password"' in out
    assert "Tên đăng nhập" in out  # Django's own Vietnamese label
    assert '<ul class="errorlist nonfield"><li>Vui lòng' in out
    assert "<code>ministry</code>" in out and "<code>board</code>" in out


def test_login_page_en_without_demo_logins():
    request = make_request("/accounts/login/")
    with translation.override("en"):
        form = AuthenticationForm(request)
    out = render("registration/login.html", {"form": form, "next": ""}, request, lang="en")
    assert "Log in to EIP Hub" in out
    assert "Demo accounts" not in out
    assert "errorlist" not in out


def test_500_page_renders_without_any_context():
    out = loader.get_template("500.html").render()
    assert "500" in out and "Server error" in out and "Đã xảy ra lỗi hệ thống" in out
    assert 'href="/static/eiphub/app.css"' in out


@pytest.mark.parametrize(
    ("template", "vi_text", "en_text"),
    [
        ("404.html", "Không tìm thấy trang", "Page not found"),
        ("403.html", "Không có quyền truy cập", "Access denied"),
    ],
)
def test_error_pages_translated(template, vi_text, en_text):
    assert vi_text in render(template)
    assert en_text in render(template, lang="en")


def test_kpi_component_formats_value_and_colours_delta():
    ctx = {"label": "Tái sử dụng nước", "value": 0.423, "kind": "pct", "delta": -0.031}
    out = render("web/components/kpi.html", ctx)
    assert "42,3 %" in out and "-3,1 %" in out
    assert 'class="kpi__delta is-bad"' in out
    ctx = {
        "label": "CO2",
        "value": 32150.5,
        "decimals": 1,
        "unit": "t",
        "delta": -1200,
        "delta_good": "down",
    }
    out = render("web/components/kpi.html", ctx, lang="en")
    assert "32,150.5" in out and "-1,200.0" in out and 'is-good"' in out
    out = render("web/components/kpi.html", {"label": "Savings", "value": 76e9, "kind": "vnd"})
    assert "76,0 tỷ VND" in out
    assert "kpi__delta" not in out


def test_chart_component_embeds_spec_and_accessible_name():
    spec = {
        "kind": "sankey",
        "title": "Dòng <vật chất>",
        "nodes": [{"name": "A"}, {"name": "B"}],
        "links": [{"source": "A", "target": "B", "value": 2.5}],
    }
    out = render("web/components/chart.html", {"spec": spec, "height": 300})
    attr = re.search(r'data-chart="([^"]*)"', out).group(1)
    assert json.loads(html.unescape(attr)) == spec
    assert 'aria-label="Dòng &lt;vật chất&gt;"' in out
    assert "height: 300px" in out
    out = render("web/components/chart.html", {"spec_id": "flows-data"})
    assert 'data-chart-src="flows-data"' in out and 'aria-label="Biểu đồ"' in out


def test_pagination_keeps_other_query_parameters():
    page = Paginator(list(range(45)), 10).page(2)
    request = make_request("/parks/", q="Ninh Bình", page="2")
    out = html.unescape(render("web/components/pagination.html", {"page_obj": page}, request))
    assert 'href="?q=Ninh+B%C3%ACnh&page=1"' in out
    assert 'href="?q=Ninh+B%C3%ACnh&page=3"' in out
    assert "Trang 2/5 · 45 mục" in out
    single = Paginator([1], 10).page(1)
    assert "pagination" not in render("web/components/pagination.html", {"page_obj": single})


def test_empty_state_default_and_action():
    out = render("web/components/empty_state.html", {})
    assert "Chưa có dữ liệu để hiển thị." in out and "btn" not in out
    out = render(
        "web/components/empty_state.html",
        {"message": "Không có tin.", "action_url": "/x/", "action_label": "Đăng"},
    )
    assert '<a class="btn btn--primary" href="/x/">Đăng</a>' in out


OWN_TEMPLATES = [
    *sorted((WEB / "templates").glob("*.html")),
    *sorted((WEB / "templates" / "web" / "components").glob("*.html")),
    WEB.parent / "accounts" / "templates" / "registration" / "login.html",
]
MSGID = re.compile(r"""{% translate ["']([^"']+)["'] %}|_\(["']([^"']+)["']\)""")
COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}", re.S)
BLOCK = re.compile(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", re.S)


@pytest.mark.parametrize("path", OWN_TEMPLATES, ids=lambda p: p.name)
def test_every_template_string_has_a_vietnamese_translation(path):
    text = COMMENT.sub("", path.read_text(encoding="utf-8"))
    msgids = [a or b for a, b in MSGID.findall(text)]
    msgids += [re.sub(r"{{ (\w+) }}", r"%(\1)s", m) for m in BLOCK.findall(text)]
    with translation.override("vi"):
        missing = [m for m in msgids if translation.gettext(m) == m]
    assert missing == []
