"""The floors of the code (DESIGN.md §3): imports point down, never up.

areas (ground) ← accounts ← households ← survey ← reports; core under all. The unit tree imports
nothing from accounts; scoping knows units, not surveys; core imports no app of ours; and only
`survey/workflow.py` changes a form's status.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "areas", "accounts", "households", "survey", "reports"]
# What each app's non-view code may import from the others (views sit on top of their app).
BELOW = {
    "core": set(),
    "areas": {"core"},
    "accounts": {"core", "areas"},
    "households": {"core", "areas", "accounts"},
    "survey": {"core", "areas", "accounts", "households"},
    "reports": {"core", "areas", "accounts", "households", "survey"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        # The scoring engine is plain Python with no Django: a library any floor may use.
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and not node.module.startswith("survey.engine")
        ):
            found.add(node.module.split(".")[0])
    return found & set(APPS)


def _modules(app: str) -> list[Path]:
    return [
        p
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts and "management" not in p.parts
    ]


@pytest.mark.parametrize("app", ["core", "areas", "accounts"])
def test_the_lower_floors_import_nothing_from_above(app):
    for path in _modules(app):
        wrong = _imports(path) - BELOW[app] - {app}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_services_and_selectors_import_only_from_below():
    for app in ["households", "survey", "reports"]:
        for path in _modules(app):
            if path.name.endswith("views.py") or path.name in {"urls.py", "unit_urls.py"}:
                continue
            wrong = _imports(path) - BELOW[app] - {app}
            assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_scoping_knows_units_not_surveys():
    assert _imports(ROOT / "accounts" / "scoping.py") <= {"areas", "accounts", "core"}


def test_only_the_workflow_changes_a_forms_status():
    """A status assignment outside survey/workflow.py would be a step missing from its table."""
    # Past rounds' results are written in bulk with their whole history (as happened), not
    # stepped through: the demo's past rounds (and, next, imports of a past year's approved list).
    history_writers = {"workflow.py", "demo_world.py"}
    offenders = []
    for app in ["survey", "reports", "households"]:
        for path in _modules(app):
            if path.name in history_writers:
                continue
            text = path.read_text(encoding="utf-8")
            for needle in ("Status.SUBMITTED", "Status.APPROVED", "Status.POSTED", "Status.AGREED"):
                for line in text.splitlines():
                    if "status =" in line.replace("  ", " ") and needle in line:
                        offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not offenders
