"""Delete finished background jobs, their queue entries and expired result files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from background.services import jobs_prune


class Command(BaseCommand):
    help = "Delete finished jobs and queue entries older than --days, and expired result files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=14, help="Keep this many days (14).")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would go.")

    def handle(self, *args: Any, days: int, dry_run: bool, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        counts = jobs_prune(days=days, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {counts['jobs']} jobs, {counts['queue_entries']} queue entries and "
            f"{counts['files']} expired result files."
        )
