"""manage.py generate_reports: one file per scored country, identical to a single render."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from reports.data import country_report_data
from reports.pdf import country_report_pdf
from tests.factories import country
from tests.reports.support import scored_world


class GenerateReportsCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()

    def _run(self, *arguments: str) -> tuple[Path, str]:
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [p.unlink() for p in directory.iterdir()])
        output = StringIO()
        call_command(
            "generate_reports", *arguments, "--out", str(directory), "--no-progress", stdout=output
        )
        return directory, output.getvalue()

    def test_writes_one_report_per_scored_country_with_two_workers(self):
        directory, output = self._run("--round", "2026", "--lang", "fr", "--workers", "2")
        names = sorted(path.name for path in directory.iterdir())
        assert names == ["KEN-2026-fr.pdf", "SEN-2026-fr.pdf"]
        assert "2 reports written" in output and "2 worker(s)" in output
        expected = country_report_pdf(country_report_data(country=country("SEN"), language="fr"))
        assert (directory / "SEN-2026-fr.pdf").read_bytes() == expected

    def test_country_option_limits_the_batch(self):
        directory, _output = self._run("--round", "2026", "--country", "ken", "--workers", "1")
        assert [path.name for path in directory.iterdir()] == ["KEN-2026-en.pdf"]

    def test_a_round_without_scores_writes_nothing(self):
        directory, output = self._run("--round", "2031", "--workers", "1")
        assert list(directory.iterdir()) == []
        assert "0 reports written" in output

    def test_bad_options_are_refused(self):
        with self.assertRaisesMessage(CommandError, "--workers must be 1 or more"):
            call_command("generate_reports", "--round", "2026", "--out", "x", "--workers", "0")
        with self.assertRaises(CommandError):
            call_command("generate_reports", "--round", "2026", "--out", "x", "--lang", "de")
