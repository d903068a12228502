"""Every workflow and locking rule × every path into the data (see tests/rules/__init__.py)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import tests.rules
from tests.rules import PATHS, Rule
from tests.rules.support import build_world


def all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for module_info in pkgutil.iter_modules(tests.rules.__path__):
        module = importlib.import_module(f"tests.rules.{module_info.name}")
        rules.extend(getattr(module, "RULES", []))
    return rules


RULES = {rule.name: rule for rule in all_rules()}


def test_every_rule_has_a_check_for_every_path() -> None:
    assert RULES
    missing = {
        name: sorted(set(PATHS) - set(rule.checks))
        for name, rule in RULES.items()
        if set(PATHS) - set(rule.checks)
    }
    assert not missing, f"rules without a check for a path: {missing}"
    unknown = {name: sorted(set(rule.checks) - set(PATHS)) for name, rule in RULES.items()}
    assert not any(unknown.values()), f"checks for paths that do not exist: {unknown}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "path"), [(name, path) for name in sorted(RULES) for path in PATHS]
)
def test_the_rule_holds_on_the_path(rule: str, path: str, tmp_path: Path, mailoutbox: list) -> None:
    check = RULES[rule].checks.get(path)
    if check is None:
        pytest.fail(f"{rule} has no check for {path}")
    world = build_world()
    world.extra["tmp_path"] = tmp_path
    check(world)
