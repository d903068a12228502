"""The longest functions of the shipped packages, with their cyclomatic branches.

Run ``.venv/bin/python tools/function_sizes.py`` (``--top N`` for more or fewer rows,
``--markdown`` for a table to paste in a report, ``--root DIR`` to measure another checkout,
e.g. one made with ``git archive``, and ``--only TEXT`` to keep the functions whose path or name
contains it). Tests, migrations and benchmarks are left out: only code that ships is measured.

Lines are the function's source lines from ``def`` to its last statement, decorators and
docstring included; body lines leave out the signature, decorators and docstring. Branches
follow McCabe's cyclomatic complexity (McCabe, "A Complexity Measure", IEEE TSE 2(4), 1976):
1 + one per ``if``/``elif``, loop, ``except``, ``and``/``or`` operand beyond the first,
conditional expression, comprehension ``for`` and ``if``, ``match`` case and ``assert``;
nested functions are counted on their own, not in the function that holds them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The packages that ship (the project's Django apps and settings).
PACKAGES = (
    "needs_assessment",
    "tabular",
    "officialstats",
    "surveys",
    "background",
    "charts",
    "scoring",
    "planning",
    "exchange",
    "reports",
    "api",
    "demo",
)
EXCLUDED_PARTS = {"migrations", "tests", "__pycache__"}


@dataclass(frozen=True)
class FunctionSize:
    """One function's place, length in lines and cyclomatic branches."""

    path: str
    name: str
    line: int
    lines: int
    body_lines: int
    branches: int


class _BranchCounter(ast.NodeVisitor):
    """Counts decision points in one function body, skipping nested functions and classes."""

    def __init__(self) -> None:
        self.count = 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802 (ast's name)
        return  # nested functions are measured on their own

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 (ast's name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802 (ast's name)
        return

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While | ast.IfExp | ast.Assert):
            self.count += 1
        elif isinstance(node, ast.ExceptHandler | ast.match_case):
            self.count += 1
        elif isinstance(node, ast.BoolOp):
            self.count += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            self.count += 1 + len(node.ifs)
        super().generic_visit(node)


def _branches(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    counter = _BranchCounter()
    for statement in function.body:
        counter.visit(statement)
    return counter.count


def _body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = function.body
    first = body[0]
    if (
        len(body) > 1
        and isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        first = body[1]
    return (function.end_lineno or function.lineno) - first.lineno + 1


def _functions(
    tree: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function with its qualified name (``Class.method``, ``outer.inner``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _python_files(root: Path) -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if not EXCLUDED_PARTS & set(path.relative_to(root).parts):
                yield path


def function_sizes(root: Path = ROOT) -> list[FunctionSize]:
    """Every function of the shipped packages, longest first (ties by branches, then name)."""
    sizes = []
    for path in _python_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node in _functions(tree):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            sizes.append(
                FunctionSize(
                    path=str(path.relative_to(root)),
                    name=name,
                    line=node.lineno,
                    lines=(node.end_lineno or node.lineno) - first + 1,
                    body_lines=_body_lines(node),
                    branches=_branches(node),
                )
            )
    return sorted(sizes, key=lambda size: (-size.lines, -size.branches, size.path, size.name))


def _table(sizes: list[FunctionSize], *, markdown: bool) -> str:
    header = ("lines", "body", "branches", "function")
    rows = [
        (str(s.lines), str(s.body_lines), str(s.branches), f"{s.path}:{s.line} {s.name}")
        for s in sizes
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---:|---:|---:|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    return "\n".join(f"{a:>6} {b:>5} {c:>9}  {d}" for a, b, c, d in [header, *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=20, help="how many functions (default 20)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the project tree to measure (default: this one)"
    )
    parser.add_argument(
        "--only", default="", help="only functions whose 'path name' contains this text"
    )
    arguments = parser.parse_args(argv)
    if arguments.top < 1:
        parser.error("--top must be at least 1")
    if not (arguments.root / "manage.py").is_file():
        parser.error(f"--root {arguments.root} is not the project's top folder (no manage.py)")
    sizes = [
        size
        for size in function_sizes(arguments.root)
        if arguments.only in f"{size.path} {size.name}"
    ]
    print(_table(sizes[: arguments.top], markdown=arguments.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
