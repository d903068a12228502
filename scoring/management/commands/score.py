"""``python manage.py score --framework FILE --data CSV --out CSV`` (no database needed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.cli import TableError, score_table
from surveys.frameworks.reading import FrameworkError


class Command(BaseCommand):
    help = (
        "Score a CSV table of indicator values (first column: the unit; other columns: "
        "question or indicator codes) against a framework YAML file, without the database."
    )
    # Scoring a file needs neither the database nor the project's checks.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", required=True, help="Framework YAML file.")
        parser.add_argument("--data", required=True, help="CSV table of values, one row per unit.")
        parser.add_argument("--out", required=True, help="CSV file to write; '-' for stdout.")
        parser.add_argument(
            "--imputation-bounds",
            action="store_true",
            help=(
                "Add, per unit, its missing values and the lowest and highest overall and pillar "
                "scores when each missing value is imputed within the range observed in the table."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = score_table(
                options["framework"],
                options["data"],
                options["out"],
                with_bounds=options["imputation_bounds"],
            )
        except (FrameworkError, TableError) as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"{error.filename or ''}: {error.strerror or error}") from error
        if options["out"] != "-":
            self.stdout.write(
                f"Scored {summary.units} unit(s) on {summary.columns} column(s); "
                f"wrote {options['out']}."
            )
        if summary.missing_questions:
            self.stderr.write(
                "No column for scored question(s) "
                + ", ".join(summary.missing_questions)
                + ": counted as missing for every unit."
            )
