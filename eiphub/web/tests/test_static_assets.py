"""Vendored libraries are present, licensed, documented and referenced; nothing comes from a CDN."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

WEB = Path(__file__).resolve().parents[1]
STATIC = WEB / "static"
VENDOR = STATIC / "vendor"
BASE_HTML = WEB / "templates" / "base.html"

# (directory, minified file, regex capturing the version inside it, licence file)
LIBRARIES = [
    ("htmx", "htmx.min.js", r'version:"(\d+\.\d+\.\d+)"', "LICENSE"),
    ("echarts", "echarts.min.js", r'\.version="(\d+\.\d+\.\d+)"', "LICENSE"),
    ("leaflet", "leaflet.js", r'\.version="(\d+\.\d+\.\d+)"', "LICENSE"),
    ("swagger-ui", "swagger-ui-bundle.js", r'PACKAGE_VERSION:"(\d+\.\d+\.\d+)"', "LICENSE"),
]
LEAFLET_FILES = ["leaflet.css", "leaflet.js.map"] + [
    f"images/{name}"
    for name in (
        "layers.png",
        "layers-2x.png",
        "marker-icon.png",
        "marker-icon-2x.png",
        "marker-shadow.png",
    )
]

OWN_FILES = [
    BASE_HTML,
    STATIC / "eiphub" / "app.js",
    STATIC / "eiphub" / "app.css",
    STATIC / "eiphub" / "api-docs.js",
    WEB / "templates" / "api" / "docs.html",
    *sorted((WEB / "templates").glob("*.html")),
    *sorted((WEB / "templates" / "web" / "components").glob("*.html")),
    WEB.parent / "accounts" / "templates" / "registration" / "login.html",
]
URL = re.compile(r"https?://[^\s\"')<>]+", re.IGNORECASE)


def vendored_version(lib, filename, pattern):
    text = (VENDOR / lib / filename).read_text(encoding="utf-8")
    match = re.search(pattern, text)
    assert match, f"no version string in {lib}/{filename}"
    return next(group for group in match.groups() if group)


def readme_rows():
    """{library dir: (version, licence)} from the table in vendor/README.md."""
    rows = {}
    for line in (VENDOR / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and "`" in cells[3]:
            lib = re.search(r"`([\w-]+)/", cells[3]).group(1)
            rows[lib] = (cells[1], cells[2])
    return rows


@pytest.mark.parametrize(("lib", "filename", "pattern", "licence"), LIBRARIES)
def test_vendored_library_present_with_licence(lib, filename, pattern, licence):
    path = VENDOR / lib / filename
    assert path.stat().st_size > 20_000, f"{path} looks truncated"
    licence_text = (VENDOR / lib / licence).read_text(encoding="utf-8")
    low = licence_text.lower()
    assert len(licence_text) > 300 and ("copyright" in low or "permission" in low)


@pytest.mark.parametrize(("lib", "filename", "pattern", "licence"), LIBRARIES)
def test_readme_lists_the_version_actually_vendored(lib, filename, pattern, licence):
    rows = readme_rows()
    assert lib in rows, f"vendor/README.md has no row for {lib}"
    assert rows[lib][0] == vendored_version(lib, filename, pattern)
    assert rows[lib][1], f"no licence named for {lib}"


def test_readme_lists_every_vendored_file():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    files = sorted(p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file())
    missing = [f for f in files if f != "README.md" and f"`{f}`" not in readme]
    assert missing == []


def test_leaflet_css_images_and_sourcemap_are_shipped():
    for name in LEAFLET_FILES:
        assert (VENDOR / "leaflet" / name).is_file(), name
    css = (VENDOR / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    for ref in re.findall(r"url\((images/[^)]+)\)", css):
        assert (VENDOR / "leaflet" / ref).is_file(), ref


def test_echarts_build_includes_the_chart_types_app_js_uses():
    text = (VENDOR / "echarts" / "echarts.min.js").read_text(encoding="utf-8")
    app_js = (STATIC / "eiphub" / "app.js").read_text(encoding="utf-8")
    used = set(re.findall(r'type: "(bar|line|pie|sankey|graph)"', app_js))
    used |= {"bar", "line"}  # cartesian kinds pick one of these at runtime
    assert used >= {"bar", "line", "pie", "sankey", "graph"}
    for kind in used:
        assert f'type="series.{kind}"' in text, kind


def test_base_html_references_every_vendored_asset_through_static():
    base = BASE_HTML.read_text(encoding="utf-8")
    referenced = set(re.findall(r"{% static '([^']+)' %}", base))
    expected = {
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "eiphub/app.js",
        "eiphub/app.css",
    }
    assert expected <= referenced
    for path in referenced:
        assert finders.find(path), f"base.html references missing static file {path}"


def test_app_js_loads_after_the_libraries_it_uses():
    base = BASE_HTML.read_text(encoding="utf-8")
    order = [base.index(name) for name in ("echarts.min.js", "leaflet.js", "eiphub/app.js")]
    assert order == sorted(order)


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_no_external_urls_in_own_templates_and_assets(path):
    text = path.read_text(encoding="utf-8")
    assert URL.findall(text) == [], f"{path} must not load anything from the network"
    assert "//cdn" not in text.lower() and "googleapis" not in text.lower()


def test_every_static_reference_in_own_templates_resolves():
    for path in OWN_FILES:
        if path.suffix != ".html":
            continue
        for ref in re.findall(r"{% static '([^']+)' %}", path.read_text(encoding="utf-8")):
            assert finders.find(ref), f"{path.name}: missing static file {ref}"
