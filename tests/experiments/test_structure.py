"""experiments stands on its own: nothing under experiments/ imports approvals (or cadence).

The approvals app adds its rules through the lifecycle's hooks (approvals.hooks, registered in
ApprovalsConfig.ready); CI also runs this app's own tests with those hooks taken away
(PAGAR_TEST_WITHOUT=approvals).
"""

import ast
from pathlib import Path

import pytest

from experiments import hooks, lifecycle

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
OTHER_APPS = ("approvals", "cadence")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_module_under_experiments_imports_approvals_or_cadence():
    offenders = [
        f"{path.relative_to(EXPERIMENTS.parent)}: {module}"
        for path in sorted(EXPERIMENTS.rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in OTHER_APPS
    ]
    assert offenders == []


def test_the_scan_sees_an_import_hidden_in_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from approvals.services import decide\n")
    assert list(imported_modules(sample)) == ["approvals.services"]


@pytest.mark.approvals
def test_approvals_registers_its_hooks_on_the_lifecycle():
    for action in lifecycle.DECISION_ACTIONS:
        assert hooks.registry.one(f"delegate:{action}").owner == "approvals"
        assert [h.owner for h in hooks.registry.get(f"guard:{action}")] == ["approvals"]
    assert "approvals" in {h.owner for h in hooks.registry.get("after_move")}


def test_hooks_can_be_taken_away_and_come_back():
    before = hooks.registry.get("after_move")
    with hooks.registry.without("approvals"):
        assert all(h.owner != "approvals" for h in hooks.registry.get("after_move"))
        assert lifecycle.delegated_actions() == set()
    assert hooks.registry.get("after_move") == before
