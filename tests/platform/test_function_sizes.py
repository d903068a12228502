"""tools/function_sizes.py measures what the closing notes of refactoring issues quote."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "function_sizes", ROOT / "tools" / "function_sizes.py"
)
assert _spec is not None and _spec.loader is not None
function_sizes = importlib.util.module_from_spec(_spec)
sys.modules["function_sizes"] = function_sizes
_spec.loader.exec_module(function_sizes)

SAMPLE = '''
class Report:
    @property
    def title(self):
        """The title."""
        return "t"


def decide(values, flag):
    """Count the branches: 1 + if + for + and + comprehension (for + if) + ternary + except."""
    if flag and values:
        for value in values:
            pass
    kept = [v for v in values if v]

    def inner():
        if kept:
            return 1
        return 0

    try:
        return kept[0] if kept else None
    except IndexError:
        return None
'''


def measure(tmp_path: Path) -> dict[str, object]:
    (tmp_path / "manage.py").write_text("")
    package = tmp_path / "scoring"
    package.mkdir()
    (package / "sample.py").write_text(SAMPLE)
    (package / "migrations").mkdir()
    (package / "migrations" / "0001_initial.py").write_text("def migrate():\n    pass\n")
    return {size.name: size for size in function_sizes.function_sizes(tmp_path)}


def test_branches_follow_mccabe_and_nested_functions_count_on_their_own(tmp_path: Path) -> None:
    sizes = measure(tmp_path)
    assert sizes["decide"].branches == 1 + 1 + 1 + 1 + 2 + 1 + 1
    assert sizes["decide.inner"].branches == 2
    assert sizes["Report.title"].branches == 1


def test_lines_count_decorators_and_body_lines_leave_out_the_docstring(tmp_path: Path) -> None:
    sizes = measure(tmp_path)
    assert (sizes["Report.title"].lines, sizes["Report.title"].body_lines) == (4, 1)
    assert sizes["decide"].body_lines == sizes["decide"].lines - 2


def test_migrations_are_not_measured_and_a_wrong_root_is_refused(tmp_path: Path) -> None:
    assert "migrate" not in measure(tmp_path)
    with pytest.raises(SystemExit):
        function_sizes.main(["--root", str(tmp_path / "scoring")])
