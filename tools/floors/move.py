"""Put the platform's apps on floors (issue 15 item 5): a replayable codemod.

Run from the root of a checkout (any branch that still has the old layout, or already has the
new one: running it twice changes nothing the second time)::

    .venv/bin/python tools/floors/move.py            # moves, rewrites, reports
    .venv/bin/lint-imports                           # then: what still crosses a floor

Floors, low to high (``.importlinter``): officialstats → surveys → background | charts →
scoring → exchange → reports → api → demo → needs_assessment.

What it does, in order (each step is idempotent):

1. ``git mv`` whole packages and modules to their floor (``MOVES``); files someone else added
   to a moved package move with it.
2. Copies the hand-written files (new apps' ``apps.py``, ``urls.py``, hook modules, the
   import-linter contract) from ``tools/floors/files/``.
3. Rewrites every dotted module path (imports, lazy imports, ``mock.patch("…")`` strings,
   settings, ``include("…urls")``, doctests) and every slash path (pyproject, docs) of the moved
   modules in tracked text files; splits ``from reports import charts, fonts`` style imports.
4. Renames the URL namespace of pages that moved app (``surveys:export`` → ``exchange:export``)
   in Python, templates and the role × URL matrix.
5. Small structural edits where a lower floor used an upper one (hooks instead of imports),
   each applied by exact text or by AST, and reported as MANUAL when the text has changed.

Everything it could not do is printed as ``MANUAL: …`` lines; the exit status is 1 then.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess  # nosec B404  # runs git, ruff and its own script: fixed argv, no shell
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path.cwd()
FILES = Path(__file__).resolve().parent / "files"
MANUAL: list[str] = []
CHANGED: set[Path] = set()  # Python files this run wrote: their imports are sorted at the end

# (old path, new path): a directory moves whole, with whatever files it holds at the time.
MOVES: list[tuple[str, str]] = [
    # api: the REST API is the floor above reports.
    ("surveys/api", "api"),
    # exchange: imports and exports, their pages, commands and background glue.
    ("surveys/exchange", "exchange"),
    ("surveys/views/exchange.py", "exchange/views.py"),
    ("surveys/views/interchange.py", "exchange/views_interchange.py"),
    ("background/imports.py", "exchange/jobs.py"),
    *(
        (f"surveys/management/commands/{name}.py", f"exchange/management/commands/{name}.py")
        for name in (
            "export_data",
            "export_xlsform",
            "import_answers",
            "import_statistics",
            "import_template",
            "import_xlsform",
        )
    ),
    # planning: catalogues, priorities, portfolios, demand, offers and matching (with models).
    ("scoring/models/planning.py", "planning/models/interventions.py"),
    ("scoring/models/offers.py", "planning/models/offers.py"),
    ("scoring/catalogue.py", "planning/catalogue.py"),
    ("scoring/offers.py", "planning/offers.py"),
    ("scoring/matching.py", "planning/matching.py"),
    ("scoring/planning.py", "planning/services.py"),
    ("scoring/plan_cache.py", "planning/plan_cache.py"),
    ("scoring/forms_planning.py", "planning/forms.py"),
    ("scoring/forms_matching.py", "planning/forms_matching.py"),
    ("scoring/views_planning.py", "planning/views.py"),
    ("scoring/views_matching.py", "planning/views_matching.py"),
    ("scoring/admin.py", "planning/admin.py"),
    *(
        (f"scoring/management/commands/{name}.py", f"planning/management/commands/{name}.py")
        for name in ("load_catalogue", "load_offers")
    ),
    # charts: drawings shared by the PDFs and the pages, with their fonts and text shaping.
    ("reports/charts", "charts"),
    ("reports/fonts.py", "charts/fonts.py"),
    ("reports/texts.py", "charts/texts.py"),
    # demo: the demo loader assembles every floor, so it sits on top.
    ("surveys/demo.py", "demo/loader.py"),
    (
        "surveys/management/commands/seed_demo.py",
        "demo/management/commands/seed_demo.py",
    ),
    (
        "surveys/management/commands/demo_stakeholder_link.py",
        "demo/management/commands/demo_stakeholder_link.py",
    ),
    # Down to surveys: the outage page (surveys' sign-in middleware answers it too) and the
    # statistics command (it reads frameworks; officialstats is the floor below surveys).
    ("needs_assessment/outage.py", "surveys/outage.py"),
    (
        "officialstats/management/commands/load_statistics.py",
        "surveys/management/commands/load_statistics.py",
    ),
]

# Models (and their choices) that move from scoring to planning, with their tables.
PLANNING_MODELS = [
    "DeliveryChannel",
    "Intervention",
    "InterventionKind",
    "DeliveryMode",
    "DemandRule",
    "Offer",
    "OfferLevel",
    "Provider",
    "ProviderKind",
]
PLANNING_TABLES = ["intervention", "provider", "offer", "demandrule"]

# Dotted module renames implied by MOVES (longest first when applied).
MODULES: dict[str, str] = {
    "surveys.api": "api",
    "surveys.exchange": "exchange",
    "surveys.views.exchange": "exchange.views",
    "surveys.views.interchange": "exchange.views_interchange",
    "background.imports": "exchange.jobs",
    **{
        f"surveys.management.commands.{name}": f"exchange.management.commands.{name}"
        for name in (
            "export_data",
            "export_xlsform",
            "import_answers",
            "import_statistics",
            "import_template",
            "import_xlsform",
        )
    },
    "scoring.models.planning": "planning.models.interventions",
    "scoring.models.offers": "planning.models.offers",
    **{f"scoring.models.{name}": f"planning.models.{name}" for name in PLANNING_MODELS},
    "scoring.catalogue": "planning.catalogue",
    "scoring.offers": "planning.offers",
    "scoring.matching": "planning.matching",
    "scoring.planning": "planning.services",
    "scoring.plan_cache": "planning.plan_cache",
    "scoring.forms_planning": "planning.forms",
    "scoring.forms_matching": "planning.forms_matching",
    "scoring.views_planning": "planning.views",
    "scoring.views_matching": "planning.views_matching",
    "scoring.admin": "planning.admin",
    **{
        f"scoring.management.commands.{name}": f"planning.management.commands.{name}"
        for name in ("load_catalogue", "load_offers")
    },
    "reports.charts": "charts",
    "reports.fonts": "charts.fonts",
    "reports.texts": "charts.texts",
    "surveys.demo": "demo.loader",
    "surveys.management.commands.seed_demo": "demo.management.commands.seed_demo",
    "surveys.management.commands.demo_stakeholder_link": (
        "demo.management.commands.demo_stakeholder_link"
    ),
    "needs_assessment.outage": "surveys.outage",
    "officialstats.management.commands.load_statistics": (
        "surveys.management.commands.load_statistics"
    ),
}

# Pages that moved app: URL names whose namespace changes.
URL_NAMES: dict[str, list[str]] = {
    "surveys:exchange": [
        "export",
        "export-download",
        "import-template",
        "answers-import",
        "statistics-import",
        "framework-xlsform",
        "offline-workbook",
        "offline-workbook-download",
        "submissions-import",
        "xlsform-import",
    ],
    "background:exchange": ["import-detail"],
    "scoring:planning": [
        "planner-home",
        "planner-country",
        "planner-demand",
        "catalogue",
        "matching-plan",
        "matching-gaps",
        "provider-detail",
    ],
}

NEW_APPS = ["exchange", "api", "demo"]  # INSTALLED_APPS, after "reports"
# Packages whose doctests run and whose types mypy checks (pyproject).
NEW_PACKAGES = ["charts", "planning", "exchange", "api", "demo"]
TEXT_SUFFIXES = {".py", ".toml", ".cfg", ".ini", ".md", ".html", ".txt", ".yaml", ".yml"}


def run(*argv: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run a maintainer's tool (git, ruff, python) in the checkout: a fixed list, no shell."""
    # nosec B603: argv is built here from constants and the checkout's own file names.
    return subprocess.run(list(argv), cwd=ROOT, check=check, capture_output=True, text=True)  # noqa: S603  # nosec B603


def git(*args: str) -> str:
    return run("git", *args, check=True).stdout


def tracked_files() -> list[Path]:
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    return [ROOT / name for name in names if name and not name.startswith("tools/floors/")]


# 1. Moves ---------------------------------------------------------------------------------


def move_paths() -> None:
    for old, new in MOVES:
        source, target = ROOT / old, ROOT / new
        if not source.exists():
            if not target.exists():
                MANUAL.append(f"{old} is gone and {new} does not exist: where did it go?")
            continue
        if source.is_dir() and target.exists():
            # Someone added files to the old package after a first run: move them one by one.
            for item in sorted(source.rglob("*")):
                if item.is_file() and "__pycache__" not in item.parts:
                    destination = target / item.relative_to(source)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    git("mv", str(item), str(destination))
            shutil.rmtree(source, ignore_errors=True)
            continue
        if target.exists():
            MANUAL.append(f"both {old} and {new} exist: merge them by hand")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        git("mv", old, new)
        if source.is_dir() or source.exists():
            shutil.rmtree(source, ignore_errors=True)


# 2. Hand-written files --------------------------------------------------------------------


def copy_files() -> None:
    for source in sorted(FILES.rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            target = ROOT / source.relative_to(FILES)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != source.read_bytes():
                shutil.copyfile(source, target)


# 3. Module paths --------------------------------------------------------------------------


def _module_pattern(modules: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(modules, key=len, reverse=True)
    # Not preceded by a name character or a dot (``templates.surveys``), not followed by one.
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(m) for m in ordered) + r")(?!\w)")


DOTTED = _module_pattern(MODULES)
SLASHED: dict[str, str] = {}
for _old, _new in MOVES:
    SLASHED[_old] = _new
SLASH_PATTERN = re.compile(
    r"(?<![\w/.-])(" + "|".join(re.escape(k) for k in sorted(SLASHED, key=len, reverse=True)) + ")"
    r"(?=[/\"'`\s):,\]]|$)",
    re.MULTILINE,
)


def rename_module(name: str) -> str:
    return DOTTED.sub(lambda m: MODULES[m.group(1)], name)


def split_from_imports(text: str) -> str:
    """``from reports import charts, fonts`` → ``import charts`` + ``from charts import fonts``."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        moved = [a for a in node.names if f"{node.module}.{a.name}" in MODULES]
        if not moved:
            continue
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        statements = []
        kept = [a for a in node.names if a not in moved]
        if kept:
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            statements.append(f"{indent}from {node.module} import {names}\n")
        for alias in moved:
            target = MODULES[f"{node.module}.{alias.name}"]
            local = alias.asname or alias.name
            parent, _, leaf = target.rpartition(".")
            if parent:
                suffix = f" as {local}" if local != leaf else ""
                statements.append(f"{indent}from {parent} import {leaf}{suffix}\n")
            else:
                suffix = f" as {local}" if local != leaf else ""
                statements.append(f"{indent}import {leaf}{suffix}\n")
        edits.append((node.lineno - 1, node.end_lineno or node.lineno, "".join(statements)))
    for start, end, replacement in sorted(edits, reverse=True):
        lines[start:end] = [replacement]
    return "".join(lines)


def _joined(parts: list[str]) -> str:
    return " / ".join(f'"{part}"' for part in parts)


# ``ROOT / "surveys" / "demo.py"``: a moved path spelt as a pathlib join.
JOINS = [
    (re.compile(r"\s*/\s*".join(re.escape(f'"{part}"') for part in old.split("/"))), new)
    for old, new in sorted(MOVES, key=lambda move: -len(move[0]))
    if "/" in old
]


def rewrite_text(path: Path, text: str) -> str:
    if path.suffix == ".py":
        text = split_from_imports(text)
        for pattern, new in JOINS:
            text = pattern.sub(_joined(new.split("/")), text)
    text = DOTTED.sub(lambda m: MODULES[m.group(1)], text)
    if path.suffix in {".py", ".toml", ".cfg", ".ini", ".md"}:
        text = SLASH_PATTERN.sub(lambda m: SLASHED[m.group(1)], text)
    tables = "|".join(PLANNING_TABLES)
    text = re.sub(rf"\badmin:scoring_({tables})_", r"admin:planning_\1_", text)
    text = re.sub(rf"/admin/scoring/({tables})/", r"/admin/planning/\1/", text)
    for old_namespace, names in URL_NAMES.items():
        old, new = old_namespace.split(":")
        pattern = re.compile(
            rf"(?<![\w-]){old}:(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])"
        )
        text = pattern.sub(lambda m, new=new: f"{new}:{m.group(1)}", text)
    return text


def rewrite_all() -> None:
    for path in tracked_files():
        if path.suffix not in TEXT_SUFFIXES or not path.is_file() or "migrations" in path.parts:
            # Migrations keep the names they were written with (history).
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = rewrite_text(path, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            CHANGED.add(path)


# 5. Structural edits ----------------------------------------------------------------------


def edit(path: str, change: Callable[[str], str]) -> None:
    file = ROOT / path
    if not file.exists():
        MANUAL.append(f"{path} is missing")
        return
    text = file.read_text(encoding="utf-8")
    new = change(text)
    if new != text:
        file.write_text(new, encoding="utf-8")
        CHANGED.add(file)


def replace_once(old: str, new: str, where: str) -> Callable[[str], str]:
    """Replace ``old`` by ``new``; done already when ``new`` is there; MANUAL otherwise."""

    def change(text: str) -> str:
        if old in text:
            return text.replace(old, new, 1)
        if new in text:
            return text
        MANUAL.append(f"{where}: expected text not found, apply by hand: {old!r} → {new!r}")
        return text

    return change


def _node_span(text: str, predicate: Callable[[ast.stmt], bool]) -> tuple[int, int] | None:
    tree = ast.parse(text)
    for node in tree.body:
        if predicate(node):
            start = node.lineno - 1
            if getattr(node, "decorator_list", None):
                start = node.decorator_list[0].lineno - 1
            return start, node.end_lineno or node.lineno
    return None


def replace_top_level(
    name: str, replacement: str, where: str, *, required: bool = True
) -> Callable[[str], str]:
    """Replace a top-level ``def``/assignment named ``name`` (with a preceding comment block)."""

    def is_named(node: ast.stmt) -> bool:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            return node.name == name
        if isinstance(node, ast.Assign):
            return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        if isinstance(node, ast.AnnAssign):
            return isinstance(node.target, ast.Name) and node.target.id == name
        return False

    def change(text: str) -> str:
        span = _node_span(text, is_named)
        if span is None:
            if required and replacement and replacement.strip() not in text:
                MANUAL.append(f"{where}: no top-level {name} to replace")
            return text
        lines = text.splitlines(keepends=True)
        start, end = span
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        lines[start:end] = [replacement] if replacement else []
        result = "".join(lines)
        return re.sub(r"\n{4,}", "\n\n\n", result)

    return change


URLS_HEAD = {
    "exchange/urls.py": (
        '"""Exports, import templates, imports and their background jobs, XLSForm, the offline\n'
        "workbook. Mounted at the site root beside ``surveys.urls``: the addresses are those "
        'the\npages always had.\n"""\n\nfrom django.urls import path\n\n'
        "from exchange import views, views_interchange, views_jobs\n\n"
        'app_name = "exchange"\n\nurlpatterns = [\n'
    ),
    "planning/urls.py": (
        '"""Planner pages (priorities, portfolios, demand, catalogue) and matching pages."""\n\n'
        "from django.urls import path\n\nfrom planning import views, views_matching\n\n"
        'app_name = "planning"\n\nurlpatterns = [\n'
    ),
}
URLS_TAIL = {
    "exchange/urls.py": (
        '    path("imports/<int:pk>/", views_jobs.import_detail, name="import-detail"),\n]\n'
    ),
    "planning/urls.py": "]\n",
}


def move_url_patterns(package: str, modules: dict[str, str], target: str) -> Callable[[str], str]:
    """Move every ``path(…, <module>.<view>, …)`` of a urls.py whose view moved app to the new
    app's ``target`` urls.py (``modules``: old name → the name the new urls.py imports), with
    the imports of those view modules (from ``package``); ``urlpatterns += [...]`` blocks left
    empty go. The new urls.py is written only when there was something to move (idempotent)."""

    def change(text: str) -> str:
        tree = ast.parse(text)
        lines = text.splitlines(keepends=True)
        cuts: list[tuple[int, int]] = []
        moved: list[str] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.List):
                continue
            for element in node.elts:
                if (
                    isinstance(element, ast.Call)
                    and len(element.args) >= 2
                    and isinstance(element.args[1], ast.Attribute)
                    and isinstance(element.args[1].value, ast.Name)
                    and element.args[1].value.id in modules
                ):
                    cuts.append((element.lineno - 1, element.end_lineno or element.lineno))
                    moved.append(_renamed_view(text, element, modules))
        replaced: dict[int, str] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module == package:
                if all(a.name in modules for a in node.names):
                    cuts.append((node.lineno - 1, node.end_lineno or node.lineno))
                elif node.lineno == node.end_lineno and any(a.name in modules for a in node.names):
                    kept = ", ".join(a.name for a in node.names if a.name not in modules)
                    replaced[node.lineno - 1] = f"from {package} import {kept}\n"
        for index, line in replaced.items():
            lines[index] = line
        for start, end in sorted(set(cuts), reverse=True):
            del lines[start:end]
        text = "".join(lines)
        # Names left in a multi-name import.
        for module in modules:
            text = re.sub(rf"^(\s+){module},\n", "", text, flags=re.MULTILINE)
        # Blocks and comments left empty.
        text = re.sub(r"^urlpatterns \+= \[\s*\]\n", "", text, flags=re.MULTILINE)
        text = re.sub(r"\n(#[^\n]*\n)+(?=\n|$)", "\n", text)
        text = re.sub(r"\n    # [^\n]*\n(?=\]\n)", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
        if moved:
            urls = ROOT / target
            urls.parent.mkdir(parents=True, exist_ok=True)
            body = "".join(f"    {entry},\n" for entry in moved)
            urls.write_text(URLS_HEAD[target] + body + URLS_TAIL[target], encoding="utf-8")
            CHANGED.add(urls)
        return text

    return change


def _renamed_view(text: str, call: ast.Call, modules: dict[str, str]) -> str:
    """The source of a ``path(…)`` call with its view module named as the new urls.py does."""
    source = ast.get_source_segment(text, call) or ""
    view = call.args[1]
    if not (isinstance(view, ast.Attribute) and isinstance(view.value, ast.Name)):
        raise TypeError("a path() whose view is not module.function cannot be moved")
    old = f"{view.value.id}.{view.attr}"
    return source.replace(old, f"{modules[view.value.id]}.{view.attr}", 1)


def remove_imports(modules: set[str]) -> Callable[[str], str]:
    """Drop the top-level ``from <module> import …`` statements of the given modules."""

    def change(text: str) -> str:
        lines = text.splitlines(keepends=True)
        for node in sorted(ast.parse(text).body, key=lambda n: n.lineno, reverse=True):
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                del lines[node.lineno - 1 : node.end_lineno or node.lineno]
        return "".join(lines)

    return change


def add_to_list_setting(setting: str, after: str, items: list[str]) -> Callable[[str], str]:
    def change(text: str) -> str:
        match = re.search(rf"^{setting} = \[\n(.*?)^\]", text, flags=re.MULTILINE | re.DOTALL)
        if match is None:
            MANUAL.append(f"settings: {setting} not found")
            return text
        body = match.group(1)
        missing = [item for item in items if f'"{item}",' not in body]
        if not missing:
            return text
        anchor = f'    "{after}",\n'
        if anchor not in body:
            MANUAL.append(f"settings: {after} not in {setting}")
            return text
        new_body = body.replace(anchor, anchor + "".join(f'    "{i}",\n' for i in missing))
        return text[: match.start(1)] + new_body + text[match.end(1) :]

    return change


def add_to_toml_list(key: str, items: list[str]) -> Callable[[str], str]:
    def change(text: str) -> str:
        match = re.search(rf"^{key} = \[([^\]]*)\]", text, flags=re.MULTILINE)
        if match is None:
            MANUAL.append(f"pyproject: {key} not found")
            return text
        present = re.findall(r'"([^"]+)"', match.group(1))
        missing = [item for item in items if item not in present]
        if not missing:
            return text
        inner = match.group(1).rstrip()
        added = ", ".join(f'"{item}"' for item in missing)
        return text[: match.start(1)] + f"{inner}, {added}" + text[match.end(1) :]

    return change


def add_line_after(anchor_pattern: str, line: str, where: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        if line in text:
            return text
        match = re.search(anchor_pattern, text, flags=re.MULTILINE)
        if match is None:
            MANUAL.append(f"{where}: anchor {anchor_pattern!r} not found; add {line!r}")
            return text
        end = text.index("\n", match.end()) + 1 if "\n" in text[match.end() :] else len(text)
        return text[:end] + line + "\n" + text[end:]

    return change


NEUTRALISE_IMPORT = "from surveys.spreadsheet import neutralise\n"


# Files whose structural edits can leave an import unused (removed at the end).
UNUSED_IMPORTS_FIXED = {"background/views.py"}


def before_rewrite() -> None:
    """Edits that read the old module names."""
    # URLs: the exchange pages leave surveys.urls for exchange.urls, at the same addresses.
    edit(
        "surveys/urls.py",
        move_url_patterns(
            "surveys.views",
            {"exchange": "views", "interchange": "views_interchange"},
            "exchange/urls.py",
        ),
    )
    # The planner and matching pages leave scoring.urls for planning.urls.
    edit(
        "scoring/urls.py",
        move_url_patterns(
            "scoring",
            {"views_planning": "views", "views_matching": "views_matching"},
            "planning/urls.py",
        ),
    )
    # scoring.models no longer re-exports the planning models.
    edit(
        "scoring/models/__init__.py",
        remove_imports({"scoring.models.offers", "scoring.models.planning"}),
    )


def structural_edits() -> None:
    # neutralise() is used below exchange (history CSV, planning CSV): it moves to surveys.
    edit("exchange/exports.py", replace_top_level("neutralise", "", "exchange/exports.py"))
    edit("exchange/exports.py", replace_top_level("FORMULA_PREFIXES", "", "exchange/exports.py"))
    edit(
        "exchange/exports.py",
        add_line_after(
            r"^from surveys\.services\.official import [^\n]*$",
            NEUTRALISE_IMPORT[:-1],
            "exchange/exports.py",
        ),
    )
    for path in tracked_files():
        if path.suffix == ".py" and path.is_file():
            text = path.read_text(encoding="utf-8")
            new = re.sub(
                r"^(\s*)from exchange\.exports import (neutralise|FORMULA_PREFIXES)$",
                r"\1from surveys.spreadsheet import \2",
                text,
                flags=re.MULTILINE,
            )
            if new != text and path.relative_to(ROOT).as_posix() != "exchange/exports.py":
                path.write_text(new, encoding="utf-8")
                CHANGED.add(path)

    # An import job's page needs the exchange's job kind: it moves to exchange/views_jobs.py.
    edit(
        "background/views.py",
        replace_top_level("import_detail", "", "background/views.py", required=False),
    )
    edit(
        "background/views.py",
        replace_once("from exchange.jobs import IMPORT_KIND\n", "", "background/views.py"),
    )
    edit(
        "background/urls.py",
        replace_once(
            '    path("imports/<int:pk>/", views.import_detail, name="import-detail"),\n',
            "",
            "background/urls.py",
        ),
    )

    # The framework page's methodology annex and the review page's low-agreement flags come
    # from scoring through hooks (surveys.extensions), registered in scoring.apps.
    edit(
        "surveys/views/frameworks.py",
        replace_once(
            "from scoring.methodology import methodology_annex\n",
            "",
            "surveys/views/frameworks.py",
        ),
    )
    edit(
        "surveys/views/frameworks.py",
        add_line_after(
            r"^from surveys import permissions$",
            "from surveys.extensions import framework_annex",
            "surveys/views/frameworks.py",
        ),
    )
    edit(
        "surveys/views/frameworks.py",
        replace_once(
            "methodology_annex(framework.spec, language)",
            "framework_annex(framework.spec, language)",
            "surveys/views/frameworks.py",
        ),
    )
    edit(
        "surveys/review_workspace.py",
        replace_top_level(
            "_low_agreement_by_question", "", "surveys/review_workspace.py", required=False
        ),
    )
    edit(
        "surveys/review_workspace.py",
        replace_once(
            "_low_agreement_by_question(assessment)",
            "low_agreement_by_question(assessment)",
            "surveys/review_workspace.py",
        ),
    )
    edit(
        "surveys/review_workspace.py",
        add_line_after(
            r"^from surveys\.answer_text import [^\n]*$",
            "from surveys.extensions import low_agreement_by_question",
            "surveys/review_workspace.py",
        ),
    )

    # URLs: the exchange pages left surveys.urls for exchange.urls (before_rewrite).
    edit(
        "needs_assessment/urls.py",
        add_line_after(
            r'^\s*path\("", include\("surveys\.urls"\)\),$',
            '    path("", include("exchange.urls")),',
            "needs_assessment/urls.py",
        ),
    )
    edit(
        "needs_assessment/urls.py",
        add_line_after(
            r'^\s*path\("", include\("scoring\.urls"\)\),$',
            '    path("", include("planning.urls")),',
            "needs_assessment/urls.py",
        ),
    )
    edit(
        "needs_assessment/settings.py",
        add_to_list_setting("INSTALLED_APPS", "scoring", ["planning"]),
    )
    edit("needs_assessment/settings.py", add_to_list_setting("INSTALLED_APPS", "reports", NEW_APPS))

    # Tooling: doctests and mypy cover the new packages; the contract runs in make lint.
    edit("pyproject.toml", add_to_toml_list("testpaths", NEW_PACKAGES))
    edit("pyproject.toml", add_to_toml_list("files", NEW_PACKAGES))
    edit(
        "Makefile",
        add_line_after(r"^\t\$\(VENV\)/bin/mypy$", "\t$(VENV)/bin/lint-imports", "Makefile"),
    )
    edit(
        "requirements-dev.txt",
        add_line_after(r"^mypy==[^\n]*$", "import-linter==2.17", "requirements-dev.txt"),
    )
    edit(
        "README.md",
        add_line_after(
            r"^\| mypy \|[^\n]*$",
            "| import-linter | the floors contract in `make lint` (`.importlinter`): each app "
            "imports only the apps below it, and `scoring/engine/` imports no Django |",
            "README.md",
        ),
    )
    # The README's layout table: one row per floor, in floor order.
    edit("README.md", readme_floors)

    # Tests that scan every app's source (permission checks, answers in words) scan the new ones.
    for path in sorted((ROOT / "tests").rglob("*.py")):
        edit(path.relative_to(ROOT).as_posix(), add_apps_to_scans)

    # The charts' strings are in the reports catalogue (reports/locale), like before the move.
    edit("tests/platform/test_translations.py", charts_strings_in_reports_catalogue)


FLOOR_ROWS = [
    "| `officialstats/` | official statistics (ITU IDI …): sources, values by economy; imports no "
    "other app (the lowest floor) |",
    "| `charts/` | charts drawn once for PDF and web, their fonts and text shaping (no models) |",
    "| `planning/` | intervention and offer catalogues, priorities, portfolios, demand, matching, "
    "the plan cache; planner and matching pages |",
    "| `exchange/` | imports and exports (CSV, XLSX, JSON, XLSForm, offline workbook), their "
    "pages and commands, large imports in the background |",
    "| `api/` | the REST API (Django REST framework, OpenAPI schema) |",
    "| `demo/` | the demo platform (`seed_demo`, `demo_stakeholder_link`): assembles every floor |",
]
FLOORS_NOTE = (
    "\nThe apps stand on floors, each importing only those below it: officialstats → surveys → "
    "background, charts → scoring → planning → exchange → reports → api → demo → "
    "needs_assessment. `make lint` checks it (`lint-imports`, contract in `.importlinter`); a "
    "lower floor that must show something from an upper one offers a hook the upper app fills "
    "in its `AppConfig.ready()` (`surveys/extensions.py`).\n"
)


def readme_floors(text: str) -> str:
    text = text.replace(
        "score runs, scoring service, planner prioritisation |", "score runs, scoring service |"
    )
    text = text.replace(
        "PDF (reportlab Platypus), charts drawn once for PDF and web, report batches |",
        "PDF (reportlab Platypus), dashboards, report batches |",
    )
    anchor = re.search(r"^\| `background/` \|[^\n]*\n", text, flags=re.MULTILINE)
    if anchor is None:
        MANUAL.append("README.md: the layout table's background/ row not found; add the floors")
        return text
    missing = [row + "\n" for row in FLOOR_ROWS if row.split(" |")[0] not in text]
    text = text[: anchor.end()] + "".join(missing) + text[anchor.end() :]
    if "The apps stand on floors" not in text:
        table_end = re.search(r"^\| `docs/` \|[^\n]*\n(?:\|[^\n]*\n)*", text, flags=re.MULTILINE)
        if table_end is None:
            MANUAL.append("README.md: the layout table's docs/ row not found; add the floors note")
        else:
            text = text[: table_end.end()] + FLOORS_NOTE + text[table_end.end() :]
    return text


def charts_strings_in_reports_catalogue(text: str) -> str:
    match = re.search(r"^NOT_IN_CATALOGUE = \{([^}]*)\}", text, flags=re.MULTILINE)
    if match is None:
        MANUAL.append("tests/platform/test_translations.py: NOT_IN_CATALOGUE not found")
        return text
    if '"charts"' in match.group(1):
        return text
    return text[: match.start(1)] + '"charts", ' + match.group(1) + text[match.end(1) :]


SCANNED_APPS = ["planning", "exchange", "charts", "api", "demo"]


def add_apps_to_scans(text: str) -> str:
    """``("surveys", "scoring", "reports"…)`` in a test → the same with the new apps."""

    def widen(match: re.Match[str]) -> str:
        present = re.findall(r'"(\w+)"', match.group(1))
        missing = [app for app in SCANNED_APPS if app not in present]
        if not missing:
            return match.group(0)
        return "(" + match.group(1) + "".join(f', "{app}"' for app in missing) + ")"

    return re.sub(r'\(("surveys", "scoring", "reports"(?:, "\w+")*)\)', widen, text)


def remove_empty_dirs() -> None:
    for old, _new in MOVES:
        folder = ROOT / old
        if folder.is_dir() and not any(
            p.is_file() and p.suffix != ".pyc" for p in folder.rglob("*")
        ):
            shutil.rmtree(folder)


def tidy() -> None:
    """Sort the imports the rewrite renamed and format the files it wrote (those only)."""
    files = sorted(str(p) for p in CHANGED if p.suffix == ".py" and p.exists())
    ruff = ROOT / ".venv" / "bin" / "ruff"
    command = str(ruff) if ruff.exists() else "ruff"
    if files:
        run(command, "check", "--fix", "--select", "I", "-q", *files)
        fixed = [str(ROOT / name) for name in sorted(UNUSED_IMPORTS_FIXED)]
        run(command, "check", "--fix", "--select", "F401", "-q", *fixed)
        run(command, "format", "-q", *files)


def write_migrations() -> None:
    """The planning models' migrations, from scoring's migration state (migrations.py)."""
    result = run(sys.executable, str(Path(__file__).resolve().parent / "migrations.py"))
    if result.returncode:
        MANUAL.append("planning migrations not written:\n" + result.stdout + result.stderr)


def main() -> int:
    move_paths()
    copy_files()
    before_rewrite()
    rewrite_all()
    structural_edits()
    remove_empty_dirs()
    tidy()
    write_migrations()
    for line in MANUAL:
        print(f"MANUAL: {line}")
    return 1 if MANUAL else 0


if __name__ == "__main__":
    sys.exit(main())
