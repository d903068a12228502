"""manage.py import_statistics FILE --framework CODE: import national indicator statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.commands import framework_from_options, report
from exchange.imports import statistics_import
from exchange.reading import ENCODINGS, ImportFileError


class Command(BaseCommand):
    help = (
        "Import national statistics (country, code, year, value, source) for a framework from "
        "a CSV or XLSX file, all or nothing. Use --dry-run to see the changes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--framework", required=True, help="Framework code.")
        parser.add_argument(
            "--framework-version", dest="framework_version", help="Default: latest published."
        )
        parser.add_argument("--source", default="", help="Source for rows that give none.")
        parser.add_argument("--encoding", choices=ENCODINGS, default="")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        framework = framework_from_options(options["framework"], options["framework_version"])
        try:
            with path.open("rb") as handle:
                result = statistics_import(
                    framework=framework,
                    source=handle,
                    name=path.name,
                    size=path.stat().st_size,
                    encoding=options["encoding"],
                    dry_run=options["dry_run"],
                    default_source=options["source"],
                )
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from None
        report(result, self.stdout, self.style)
