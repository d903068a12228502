"""manage.py export_xlsform CODE VERSION -o FILE: write a stored framework as an XLSForm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exchange.commands import framework_from_options
from exchange.xlsform import xlsform_file_name, xlsform_workbook


class Command(BaseCommand):
    help = "Write a stored framework version as an XLSForm workbook (KoboToolbox, ODK, Enketo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Framework code, e.g. dcna.")
        parser.add_argument("version", help="Framework version, e.g. 2026.1.")
        parser.add_argument(
            "-o", "--output", help="Workbook to write (default: CODE-VERSION-xlsform.xlsx)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        framework = framework_from_options(options["code"], options["version"])
        output = Path(options["output"] or xlsform_file_name(framework.spec))
        output.write_bytes(xlsform_workbook(framework.spec))
        self.stdout.write(self.style.SUCCESS(f"wrote {framework} to {output}"))
