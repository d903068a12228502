"""``python manage.py load_statistics FILE``: load a statistics source, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from officialstats.files import StatisticsFileError, read_statistics_file
from officialstats.links import linked_units
from officialstats.services import statistics_load
from surveys.models import Framework


class Command(BaseCommand):
    help = (
        "Load a statistics file (docs/official-statistics.md). Every problem is listed with its "
        "row and column and nothing is written; loading the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Statistics file (UTF-8 CSV with a '# key: value' head).")

    # A command is an entry point above every app: it may read the frameworks (for the units
    # their linked questions expect) and hand them to the statistics app, which sits below.
    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            parsed = read_statistics_file(
                path, linked_units=linked_units(f.spec for f in Framework.objects.all())
            )
        except StatisticsFileError as error:
            for line in error.errors:
                self.stderr.write(f"{path}: {line}")
            more = error.total - len(error.errors)
            if more > 0:
                self.stderr.write(f"{path}: … and {more} more")
            raise CommandError(
                f"{error.total} problem(s) in {path}; nothing was written"
            ) from error
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from error
        summary = statistics_load(parsed=parsed)
        if not summary.changed:
            self.stdout.write(
                f"{summary.source.code}: already up to date ({summary.unchanged} values)."
            )
            return
        self.stdout.write(
            f"{summary.source.code}: {summary.created} value(s) created, {summary.updated} "
            f"updated, {summary.unchanged} unchanged, {summary.removed} removed."
        )
