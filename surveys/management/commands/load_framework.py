"""manage.py load_framework FILE [--publish]: validate a framework file and store it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from officialstats.links import linked_units, stored_link_problems
from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.persistence import FrameworkImmutableError, framework_load
from surveys.frameworks.reading import FrameworkError


class Command(BaseCommand):
    help = (
        "Validate a framework YAML file and store it (as a draft, or published with --publish). "
        "Every problem is listed and nothing is written when there is one. Loading a published "
        "version again with identical content changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the framework YAML file.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the version: it becomes immutable and can be used by assessments.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            spec = load_framework_file(path)
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
        except FrameworkError as error:
            self._report(path, error)
        link_problems = stored_link_problems(linked_units([spec]))
        if link_problems:
            for problem in link_problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{len(link_problems)} official link(s) in {path} do not match the statistics "
                "loaded; nothing was written"
            )
        try:
            result = framework_load(spec, publish=options["publish"])
        except FrameworkError as error:
            self._report(path, error)
        except FrameworkImmutableError as error:
            raise CommandError(str(error)) from error
        style = self.style.SUCCESS if result.changed else self.style.WARNING
        self.stdout.write(style(result.message))

    def _report(self, path: str, error: FrameworkError) -> None:
        for issue in error.issues:
            self.stderr.write(f"{path}: {issue}")
        count = len(error.issues)
        raise CommandError(
            f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was written"
        )
