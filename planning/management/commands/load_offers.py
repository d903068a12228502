"""manage.py load_offers FILE: validate an offer catalogue (YAML or CSV) and store it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planning.offers import OfferCatalogueError, offers_load, read_offers_file


class Command(BaseCommand):
    help = (
        "Validate an offer catalogue (providers, offers, demand rules; .yaml, .yml or .csv; "
        "format in docs/offers.md) and store it, inserting or updating rows by code. Every "
        "problem is listed with its place and nothing is written when there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the offer file.")
        parser.add_argument(
            "--framework",
            help="Framework code whose indicators and pillars are the topics, when the file "
            "does not name one (or to override it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            result = offers_load(
                catalogue=read_offers_file(path), framework_code=options["framework"]
            )
        except OfferCatalogueError as error:
            for problem in error.errors:
                self.stderr.write(f"{path}: {problem}")
            count = len(error.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was written"
            ) from error
        self.stdout.write(self.style.SUCCESS(result.message))
