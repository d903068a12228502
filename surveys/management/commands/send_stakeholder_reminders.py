"""Remind stakeholders who have not answered: run daily from cron or a scheduler."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from surveys.services.reminders import invitations_due_for_reminder, stakeholder_reminders_send


class Command(BaseCommand):
    help = (
        "E-mail a new personal link to each stakeholder who has not answered within --days "
        "days of the invitation or of the last reminder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="Days between reminders (7).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be reminded; send nothing."
        )

    def handle(self, *args: Any, days: int, dry_run: bool, **options: Any) -> None:
        if days < 1:
            self.stderr.write("--days must be at least 1.")
            raise SystemExit(2)
        after = dt.timedelta(days=days)
        if dry_run:
            for invitation in invitations_due_for_reminder(after=after):
                self.stdout.write(f"{invitation.pk}\t{invitation.assessment}\t{invitation.email}")
            return
        count = stakeholder_reminders_send(after=after)
        self.stdout.write(f"Reminded {count} stakeholder(s).")
