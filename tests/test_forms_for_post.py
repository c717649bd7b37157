"""Issue 14: every POST is read through a Django form or formset, never by hand.

An AST scan of every non-test module of ``eiphub`` (views, APIs, helpers, middleware) fails on
any use of ``<something>.POST`` that is not the data handed to a form constructor:
``SomeForm(request.POST, ...)``, ``SomeFormSet(request.POST or None, prefix=...)``,
``SomeForm(data=request.POST)``, ``SomeForm(request.POST if request.method == "POST" else None)``.
So ``request.POST["x"]``, ``request.POST.get(...)``, ``.getlist(...)``, ``.lists()``,
``"x" in request.POST``, ``for k in request.POST``, ``post = request.POST`` and
``helper(request.POST)`` are all refused: the form is where a posted value is validated,
its numbers parsed in the user's language and its errors phrased.

``ALLOWED`` lists the few places that must see the raw data, each with its reason; an entry
that no longer matches anything fails too, so the list cannot rot.

The tests at the end feed the scanner planted snippets and check it flags exactly the
violations.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "eiphub"

# A callee whose name ends like this constructs a form or formset.
FORM_CALLEE = re.compile(r"(Form|FormSet|Formset|form_class)$")

# (module path, enclosing function qualname) -> reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("eiphub/web/validation.py", "WriteGuardMiddleware._problem"): (
        "the write guard refuses control characters in every posted value of every request "
        "before any view runs; it has no form to hand the data to"
    ),
}


def _callee_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Call):  # get_form_class()(request.POST)
        return _callee_name(func.func)
    return ""


def _is_form_data(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` (a ``.POST`` attribute) is the data argument of a form constructor,
    possibly as ``request.POST or None`` or a branch of ``... if ... else ...``."""
    cur = node
    parent = parents.get(cur)
    while True:
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or):
            pass
        elif isinstance(parent, ast.IfExp) and cur is not parent.test:
            pass
        else:
            break
        cur, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        call = parents.get(parent)
        return (
            parent.arg == "data"
            and isinstance(call, ast.Call)
            and bool(FORM_CALLEE.search(_callee_name(call.func)))
        )
    return (
        isinstance(parent, ast.Call)
        and bool(parent.args)
        and parent.args[0] is cur
        and bool(FORM_CALLEE.search(_callee_name(parent.func)))
    )


def scan_source(source: str, filename: str = "<snippet>") -> list[tuple[int, str]]:
    """The hand reads of POST data in ``source``: (line, enclosing function qualname)."""
    tree = ast.parse(source, filename)
    parents: dict[ast.AST, ast.AST] = {}
    scopes: dict[ast.AST, str] = {}

    def walk(node, scope):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{scope}.{child.name}" if scope else child.name
            scopes[child] = inner
            walk(child, inner)

    walk(tree, "")
    found = []
    for node in parents:
        if isinstance(node, ast.Attribute) and node.attr == "POST":
            if not _is_form_data(node, parents):
                found.append((node.lineno, scopes.get(node, "")))
    return sorted(found)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        parts = rel.split("/")
        if "tests" in parts or "migrations" in parts or parts[-1].startswith("test_"):
            continue
        yield rel, path


def scan_tree() -> tuple[list[str], set[tuple[str, str]]]:
    """Violations as "path:line (function)" and the allow-list entries that were used."""
    violations, used = [], set()
    for rel, path in _modules():
        for line, scope in scan_source(path.read_text(encoding="utf-8"), rel):
            if (rel, scope) in ALLOWED:
                used.add((rel, scope))
            else:
                violations.append(f"{rel}:{line} ({scope or 'module'})")
    return violations, used


def test_every_post_is_read_through_a_form():
    violations, _used = scan_tree()
    assert not violations, (
        "POST data read by hand (use a Form or formset in the app's forms.py; the field "
        "names are the ones the template posts):\n  " + "\n  ".join(violations)
    )


def test_allow_list_is_short_reasoned_and_current():
    _violations, used = scan_tree()
    assert len(ALLOWED) <= 3
    assert all(len(reason) > 30 for reason in ALLOWED.values())
    assert set(ALLOWED) == used, f"stale allow-list entries: {set(ALLOWED) - used}"


def test_the_scan_covers_the_views_and_apis():
    names = {rel for rel, _p in _modules()}
    assert "eiphub/reports/views.py" in names
    assert "eiphub/exchange/views_search.py" in names
    assert any(n.endswith("/api.py") for n in names)
    assert not any("/tests/" in n for n in names)


# ------------------------------------------------------------------ the scanner itself

PLANTED = """
from django import forms


class PickForm(forms.Form):
    pass


def bad(request, other):
    a = request.POST["a"]  # VIOLATION
    b = request.POST.get("b", "")  # VIOLATION
    c = request.POST.getlist("c")  # VIOLATION
    for key in request.POST:  # VIOLATION
        pass
    if "d" in request.POST:  # VIOLATION
        pass
    post = request.POST  # VIOLATION
    helper(request.POST)  # VIOLATION
    items = dict(request.POST.items())  # VIOLATION
    nested = PickForm(request.POST.get("x"))  # VIOLATION
    PickForm(request.POST if "e" in request.POST else None)  # VIOLATION
    PickForm(request.GET, request.POST)  # VIOLATION
    helper(data=request.POST)  # VIOLATION
    x = self.request.POST.get("y")  # VIOLATION
    y = other.POST["z"]  # VIOLATION
    return [v for v in request.POST.values()]  # VIOLATION


class View:
    def post(self, request):
        return request.POST.copy()  # VIOLATION


def good(request, instance):
    PickForm(request.POST)
    PickForm(request.POST, request.FILES)
    PickForm(request.POST or None, instance=instance)
    PickForm(data=request.POST)
    forms.SavingFormSet(request.POST, prefix="s")
    PickForm(request.POST if request.method == "POST" else None)
    PickForm(request.POST if request.method == "POST" else request.GET)
    self.form_class(request.POST)
    self.get_form_class()(request.POST)
    request.GET.get("x")
    return request.method == "POST"
"""


def _marked(source: str) -> list[int]:
    return [n for n, text in enumerate(source.splitlines(), 1) if "# VIOLATION" in text]


def test_scanner_flags_exactly_the_planted_violations():
    found = scan_source(PLANTED)
    lines = [line for line, _scope in found]
    assert lines == _marked(PLANTED)
    assert len(lines) == 16
    scopes = {scope for _line, scope in found}
    assert scopes == {"bad", "View.post"}


def test_scanner_passes_clean_code():
    clean = PLANTED.split("def good", 1)[1]
    assert scan_source("def good" + clean) == []


def test_allow_list_matches_by_function():
    source = "class WriteGuardMiddleware:\n    def _problem(self, request):\n" + (
        "        return list(request.POST.lists())\n"
    )
    assert scan_source(source) == [(3, "WriteGuardMiddleware._problem")]
    assert ("eiphub/web/validation.py", "WriteGuardMiddleware._problem") in ALLOWED
