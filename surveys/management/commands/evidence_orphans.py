"""``manage.py evidence_orphans``: find (and with ``--delete`` remove) orphan evidence files."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from surveys.services.evidence import evidence_orphans


class Command(BaseCommand):
    help = (
        "List evidence files that no evidence row refers to (left by a crash between writing "
        "the file and committing its row), and evidence rows whose file is missing. A dry run "
        "unless --delete is given; only files are ever deleted, never rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--delete", action="store_true", help="remove the orphan files (default: only list)"
        )
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help="skip files younger than this: an upload in progress writes its file before "
            "its row (default 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = evidence_orphans(min_age=datetime.timedelta(minutes=options["min_age_minutes"]))
        verb = "Removed" if options["delete"] else "Would remove"
        for path in report.files_without_row:
            if options["delete"]:
                path.unlink(missing_ok=True)
            self.stdout.write(f"{verb} orphan file {path}")
        for evidence in report.rows_without_file:
            self.stdout.write(
                f"Missing file for evidence #{evidence.pk} ({evidence.original_name}, "
                f"assessment #{evidence.assessment_id}): {evidence.stored_path}"
            )
        self.stdout.write(
            f"{len(report.files_without_row)} orphan file(s)"
            f"{'' if options['delete'] else ' (dry run: add --delete to remove them)'}; "
            f"{len(report.rows_without_file)} evidence row(s) without a file; "
            f"{report.young_files_skipped} recent file(s) skipped."
        )
