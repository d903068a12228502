"""manage.py load_catalogue FILE: validate an intervention catalogue (YAML or CSV) and store it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planning.catalogue import CatalogueError, catalogue_load, read_catalogue_file


class Command(BaseCommand):
    help = (
        "Validate an intervention catalogue file (.yaml, .yml or .csv; format in "
        "docs/intervention-catalogue.md) against its framework and store it, inserting or "
        "updating interventions by code. Every problem is listed with its place and nothing is "
        "written when there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the catalogue file.")
        parser.add_argument(
            "--framework",
            help="Framework code, when the file does not name one (or to override it).",
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate stored interventions of the framework that the file does not list.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            result = catalogue_load(
                catalogue=read_catalogue_file(path),
                framework_code=options["framework"],
                deactivate_missing=options["deactivate_missing"],
            )
        except CatalogueError as error:
            for problem in error.errors:
                self.stderr.write(f"{path}: {problem}")
            count = len(error.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was written"
            ) from error
        self.stdout.write(self.style.SUCCESS(result.message))
