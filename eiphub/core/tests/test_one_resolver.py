"""There is one resource resolver (eiphub/core/resolver.py).  This scan fails
when another function that turns text into a catalogue resource appears."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the eiphub package
ALLOWED = {
    ("core/resolver.py", None),  # the resolver itself: every function allowed
    ("core/catalogue.py", "resolve"),  # delegates to the resolver
    ("core/catalogue.py", "resolve_candidates"),  # delegates to the resolver
    ("core/catalogue.py", "resolve_many"),  # delegates to the resolver
    ("exchange/views.py", "resolve_preview"),  # HTMX view calling Catalogue.resolve_candidates
}
# The single-file matching module is replaced on merge by the package
# eiphub/symbiosis/matching/, whose resolve_resource is deleted there; the
# package itself is scanned like everything else.
LEGACY = {"symbiosis/matching.py"}
SUSPECT = re.compile(r"^_?(resolve\w*|match_resource\w*|find_resource\w*|lookup_resource\w*)$")
# A resolver reads the catalogue's labels; resolve_params of the indicators does not.
CATALOGUE_WORDS = re.compile(r"catalogue|Catalogue|synonyms|by_code|name_vi|\bfold\(")


def _offenders(root: Path) -> list[str]:
    out = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or rel in LEGACY:
            continue
        if (rel, None) in ALLOWED:
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and SUSPECT.match(
                node.name
            ):
                body = ast.get_source_segment(source, node) or ""
                if (rel, node.name) not in ALLOWED and CATALOGUE_WORDS.search(body):
                    out.append(f"{rel}:{node.lineno} {node.name}")
    return sorted(out)


def test_no_second_resource_resolver():
    assert _offenders(ROOT) == []


def test_scan_finds_a_second_resolver(tmp_path):
    pkg = tmp_path / "exchange"
    pkg.mkdir()
    (pkg / "helpers.py").write_text(
        "def resolve_text(t):\n    return default_catalogue().by_code.get(t)\n\n"
        "def resolve_params(p):\n    return dict(p)\n",
        encoding="utf-8",
    )
    (pkg / "ok.py").write_text("def match(t):\n    return t\n", encoding="utf-8")
    assert _offenders(tmp_path) == ["exchange/helpers.py:1 resolve_text"]


def test_no_caller_imports_the_legacy_resolver():
    hits = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel in LEGACY or "/tests/" in f"/{rel}":
            continue
        if "resolve_resource" in path.read_text(encoding="utf-8"):
            hits.append(rel)
    assert hits == []
