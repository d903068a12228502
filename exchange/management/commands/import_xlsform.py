"""manage.py import_xlsform FILE [--dry-run]: store an XLSForm as a new framework draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.reading import ImportFileError
from exchange.xlsform_import import xlsform_import


class Command(BaseCommand):
    help = "Read an XLSForm (docs/xlsform.md) and store it as a framework draft."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The XLSForm workbook (.xlsx).")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                result = xlsform_import(
                    source=handle,
                    name=path.name,
                    size=path.stat().st_size,
                    dry_run=options["dry_run"],
                )
        except (OSError, ImportFileError) as error:
            raise CommandError(f"{path}: {error}") from None
        for problem in result.problems:
            self.stderr.write(f"{path}: {problem}")
        if not result.ok:
            raise CommandError(f"{len(result.problems)} problems in {path}; nothing was written")
        spec = result.spec
        verb = "would be stored" if options["dry_run"] else "stored"
        self.stdout.write(
            self.style.SUCCESS(
                f"{spec.code} {spec.version} {verb} as a draft "
                f"({len(spec.pillars)} pillars, {len(spec.questions)} questions)"
            )
        )
