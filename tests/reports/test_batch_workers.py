"""Report batches build each country's data in the worker processes too, outside transactions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

from reports.data import country_report_data
from reports.pdf import country_report_pdf
from reports.services import reports_generate
from tests.factories import country
from tests.reports.support import scored_world


class BatchDataInWorkersTests(TransactionTestCase):
    def test_two_workers_build_and_render_every_report_as_a_single_render_would(self) -> None:
        scored_world()
        with tempfile.TemporaryDirectory() as directory:
            result = reports_generate(
                round=2026, language="fr", out_dir=Path(directory), workers=2, progress=False
            )
            names = sorted(path.name for path in result.written)
            written = {name: (Path(directory) / name).read_bytes() for name in names}
        assert names == ["KEN-2026-fr.pdf", "SEN-2026-fr.pdf"]
        assert result.skipped == ()
        # SQLite's in-memory test database exists in this process only; elsewhere the
        # workers read the database themselves.
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        assert result.data_in_workers is not in_memory
        # Kenya (first by name) is built before the workers start, Senegal in a worker.
        for alpha3 in ("KEN", "SEN"):
            single = country_report_pdf(country_report_data(country=country(alpha3), language="fr"))
            assert written[f"{alpha3}-2026-fr.pdf"] == single, alpha3
