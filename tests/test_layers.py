"""Imports run one way: the API and the pages -> referrals.services -> referrals.models (CONVENTIONS.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def files(*patterns):
    return sorted(path for pattern in patterns for path in ROOT.glob(pattern))


@pytest.mark.parametrize(
    "path", files("referrals/models/*.py", "referrals/managers.py", "referrals/choices.py"), ids=str
)
def test_models_and_querysets_import_no_service(path):
    # Bookkeeping a queryset needs (offline copies, the search index) is reached through signals.
    offending = {name for name in imported_modules(path) if name.startswith("referrals.services")}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


DOMAIN = [path for path in files("referrals/**/*.py") if "management" not in path.parts]  # commands are entry points


@pytest.mark.parametrize("path", DOMAIN, ids=str)
def test_the_domain_imports_neither_the_api_nor_the_pages(path):
    offending = {name for name in imported_modules(path) if name.split(".")[0] in ("api", "web")}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


@pytest.mark.parametrize("path", files("api/**/*.py"), ids=str)
def test_the_api_does_not_import_the_pages(path):
    offending = {name for name in imported_modules(path) if name.split(".")[0] == "web"}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


def test_the_api_search_view_leaves_the_search_rules_to_the_domain():
    # Which path a search takes, how it ranks, counts and pages live in referrals.services.service_search.
    names = imported_modules(ROOT / "api" / "views" / "directory.py")
    assert "referrals.services.service_search.search_services" in names
    assert not {n for n in names if n.startswith(("referrals.services.search.", "referrals.services.nearest_first"))}
