"""manage.py demo_stakeholder_link: print a working personal link for the demo (make run)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.links import site_url


class Command(BaseCommand):
    help = (
        "Issue a fresh stakeholder link to the demo's draft assessment (withdrawing the previous "
        "one) and print it, built on SITE_URL. Needs the demo (seed_demo) and DEBUG=1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_stakeholder_link is for the local demo; run it with DEBUG=1.")
        from demo.loader import demo_stakeholder_link
        from surveys.models import Assessment

        try:
            link = demo_stakeholder_link(base_url=site_url())
        except Assessment.DoesNotExist:
            raise CommandError("No demo data: run `manage.py seed_demo` first.") from None
        self.stdout.write(f"Stakeholder demo link (no account needed): {link}")
