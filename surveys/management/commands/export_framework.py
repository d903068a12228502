"""manage.py export_framework CODE VERSION [-o FILE]: write a stored framework as YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.frameworks.export import export_framework_yaml
from surveys.models import Framework


class Command(BaseCommand):
    help = "Write a stored framework version as YAML (to standard output, or to a file with -o)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Framework code, e.g. dcna.")
        parser.add_argument("version", help="Framework version, e.g. 2026.1.")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--full", action="store_true", help="Write every value, defaults included."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        framework = Framework.objects.filter(
            code=options["code"], version=options["version"]
        ).first()
        if framework is None:
            known = ", ".join(str(f) for f in Framework.objects.all()[:20]) or "none"
            raise CommandError(
                f"no framework {options['code']} {options['version']} (stored: {known})"
            )
        text = export_framework_yaml(framework.spec, full=options["full"])
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"wrote {framework} to {options['output']}"))
        else:
            self.stdout.write(text, ending="")
