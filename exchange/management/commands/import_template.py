"""manage.py import_template CODE KIND: write the answers or statistics template of a framework."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.commands import framework_from_options, write_chunks
from exchange.templates import TEMPLATE_KINDS, template_stream


class Command(BaseCommand):
    help = "Write a framework's import template (answers or statistics) as CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Framework code.")
        parser.add_argument("kind", choices=TEMPLATE_KINDS)
        parser.add_argument(
            "--framework-version", dest="framework_version", help="Default: latest published."
        )
        parser.add_argument("--format", dest="file_format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--language", default="en")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file_format"] == "xlsx" and not options["output"]:
            raise CommandError("XLSX is binary: give a file with --output.")
        framework = framework_from_options(options["code"], options["framework_version"])
        chunks, _type, _name = template_stream(
            framework,
            kind=options["kind"],
            file_format=options["file_format"],
            language=options["language"],
        )
        write_chunks(chunks, options["output"], self.stdout)
        if options["output"]:
            self.stdout.write(self.style.SUCCESS(f"wrote {options['output']}"))
