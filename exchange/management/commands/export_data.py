"""manage.py export_data DATASET: stream answers, scores, gaps or priorities to a file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.commands import write_chunks
from exchange.exports import (
    DATASETS,
    FORMATS,
    LAYOUTS,
    ExportSelection,
    export_stream,
    export_table,
)
from surveys.models import Assessment, AssessmentState, Country, ItuRegion


class Command(BaseCommand):
    help = (
        "Export answers, scores, gaps or priorities of every assessment (optionally filtered) "
        "as CSV, XLSX or JSON, in the long or wide layout, streamed to a file or standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", choices=DATASETS)
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="csv")
        parser.add_argument("--layout", choices=LAYOUTS, default="long")
        parser.add_argument("--round", type=int, help="Only this round (year).")
        parser.add_argument(
            "--country", action="append", default=[], help="ISO alpha-3 code; repeatable."
        )
        parser.add_argument("--region", choices=ItuRegion.values, help="Only this ITU region.")
        parser.add_argument("--framework", default="", help="Only this framework code.")
        parser.add_argument("--state", choices=AssessmentState.values, default="")
        parser.add_argument("--bom", action="store_true", help="Start CSV with a UTF-8 BOM.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file_format"] == "xlsx" and not options["output"]:
            raise CommandError("XLSX is binary: give a file with --output.")
        selection = ExportSelection(
            round=options["round"],
            countries=tuple(options["country"]),
            region=options["region"] or "",
            framework=options["framework"],
            state=options["state"],
        )
        table = export_table(
            dataset=options["dataset"],
            layout=options["layout"],
            assessments=Assessment.objects.all(),
            countries=Country.objects.all(),
            selection=selection,
        )
        chunks, _content_type, _name = export_stream(
            table, file_format=options["file_format"], bom=options["bom"]
        )
        size = write_chunks(chunks, options["output"], self.stdout)
        if options["output"]:
            self.stdout.write(self.style.SUCCESS(f"wrote {size} bytes to {options['output']}"))
