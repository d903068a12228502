"""manage.py seed_demo: demo users for every role, countries with assessments in every state."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Create demo users (one per role and country) and assessments in varied states. "
        "Safe to repeat: what exists is kept. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (never in production: demo passwords are public).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a public password; run it with DEBUG=1 "
                "(make run does) or pass --force on a throwaway database."
            )
        from demo.loader import DEMO_PASSWORD, seed_demo

        logins = seed_demo()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.role} — {login.country}")
        self.stdout.write("")
