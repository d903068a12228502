"""Write the migrations that move the planning models from ``scoring`` to ``planning``.

Run by ``tools/floors/move.py`` once the code has moved (the models already live in
``planning/models/``, scoring's migration history still creates them). The models' fields are
read from scoring's migration state at that moment, so a field another branch added in a
scoring migration before the move is carried over. No row is copied:

* ``scoring/migrations/NNNN_planning_models_leave.py``: the models leave scoring's *state* only
  (``SeparateDatabaseAndState``; the tables stay).
* ``planning/migrations/0001_models_from_scoring.py``: the models enter planning's state on
  the existing ``scoring_*`` tables; ``AlterModelTable`` renames each table to ``planning_*``
  (so a table says which app owns it; rows, indexes, constraints and primary-key sequences are
  untouched); the ``django_content_type`` rows are relabelled from ``scoring`` to
  ``planning``, so permissions, admin log entries and anything storing a content type keep
  pointing at the same rows. Every step is reversible.

Idempotent: when planning's initial migration exists, nothing is written.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import migrations  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from django.db.migrations.writer import MigrationWriter  # noqa: E402

OLD, NEW = "scoring", "planning"
INITIAL = "0001_models_from_scoring"
# In dependency order: a model comes after the models it points to.
MOVED = ["Intervention", "Provider", "Offer", "DemandRule"]

HEADER = "# Written by tools/floors/migrations.py: the planning models move from scoring.\n"
RELABEL = '''

MOVED_MODELS = {models}


def relabel(from_label: str, to_label: str):
    """Move the content types of the moved models to their new app label, in place."""

    def run(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        rows = content_type.objects.using(schema_editor.connection.alias)
        for model in MOVED_MODELS:
            if rows.filter(app_label=from_label, model=model).exists():
                # A row made for the new label by a stray `migrate` run holds nothing yet.
                rows.filter(app_label=to_label, model=model).delete()
                rows.filter(app_label=from_label, model=model).update(app_label=to_label)

    return run

'''


def main() -> int:
    target = ROOT / NEW / "migrations"
    if (target / f"{INITIAL}.py").exists():
        return 0
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = loader.graph.leaf_nodes(OLD)
    if len(leaves) != 1:
        print(f"MANUAL: scoring has {len(leaves)} leaf migrations; merge them first: {leaves}")
        return 1
    leaf = leaves[0]
    state = loader.project_state(leaf)
    number = int(leaf[1][:4]) + 1
    leave_name = f"{number:04d}_planning_models_leave"

    leave = migrations.Migration(leave_name, OLD)
    leave.dependencies = [leaf]
    leave.operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name) for name in reversed(MOVED)],
            database_operations=[],
        )
    ]

    creates = []
    apps_pointed_at: set[str] = set()
    for name in MOVED:
        model_state = state.models[(OLD, name.lower())]
        fields = []
        for field_name, field in model_state.fields.items():
            _name, path, args, kwargs = field.deconstruct()
            to = kwargs.get("to")
            if isinstance(to, str):
                app, _, model = to.partition(".")
                if app == OLD and model.lower() in {m.lower() for m in MOVED}:
                    kwargs["to"] = f"{NEW}.{model}"
                elif app not in (OLD, NEW):
                    apps_pointed_at.add(app)
            fields.append((field_name, field.__class__(*args, **kwargs)))
        options = dict(model_state.options)
        options.setdefault("db_table", f"{OLD}_{name.lower()}")
        creates.append(
            migrations.CreateModel(
                name=model_state.name,
                fields=fields,
                options=options,
                bases=model_state.bases,
                managers=model_state.managers,
            )
        )

    initial = migrations.Migration(INITIAL, NEW)
    initial.initial = True
    initial.dependencies = [
        (OLD, leave_name),
        ("contenttypes", "0002_remove_content_type_name"),
        *((app, "__first__") for app in sorted(apps_pointed_at)),
    ]
    initial.operations = [
        migrations.SeparateDatabaseAndState(state_operations=creates, database_operations=[]),
        *(migrations.AlterModelTable(name=name, table=None) for name in MOVED),
    ]

    target.mkdir(parents=True, exist_ok=True)
    (target / "__init__.py").touch()
    (ROOT / OLD / "migrations" / f"{leave_name}.py").write_text(
        HEADER + MigrationWriter(leave, include_header=False).as_string(), encoding="utf-8"
    )
    text = HEADER + MigrationWriter(initial, include_header=False).as_string()
    models = "[" + ", ".join(f'"{m.lower()}"' for m in MOVED) + "]"
    text = text.replace(
        "\n\nclass Migration(", RELABEL.format(models=models) + "\nclass Migration("
    )
    text = re.sub(
        r"(\n    \]\n)$",
        f"\n        migrations.RunPython(relabel({OLD!r}, {NEW!r}), relabel({NEW!r}, {OLD!r})),"
        r"\1",
        text,
    )
    (target / f"{INITIAL}.py").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
