"""``manage.py verify_audit``: check the audit trail's hash chain on either database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from surveys.audit_chain import chain_verify


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain and report the first broken link: an edited, "
        "deleted or inserted audit event. Exits with status 1 when the chain is broken."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if report.intact:
            self.stdout.write(
                f"Audit trail intact: {report.events} events; chain head {report.head_hash or '-'}"
            )
            return
        first, *others = report.broken
        more = f" ({len(others)} more broken link(s) after it)" if others else ""
        raise CommandError(
            f"Audit trail broken ({report.events} events checked). First broken link: "
            f"{first.reason}{more}."
        )
