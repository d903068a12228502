"""What the country reports of a batch share is read once per batch; the reports stay the same."""

from __future__ import annotations

from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext

from reports.data import country_report_data
from reports.data.shared import batch_shared, shared
from tests.factories import country
from tests.reports.support import scored_world


class SharedMemoTests(SimpleTestCase):
    def test_outside_a_batch_every_call_computes(self) -> None:
        calls = []
        for _ in range(2):
            assert shared("key", lambda: calls.append(1) or len(calls)) == len(calls)
        assert calls == [1, 1]

    def test_inside_a_batch_each_key_is_computed_once_and_forgotten_after(self) -> None:
        calls: list[str] = []

        def compute(name: str) -> str:
            calls.append(name)
            return name.upper()

        with batch_shared():
            assert shared("a", lambda: compute("a")) == "A"
            assert shared("a", lambda: compute("a")) == "A"
            assert shared("b", lambda: compute("b")) == "B"
        assert calls == ["a", "b"]
        with batch_shared():
            shared("a", lambda: compute("a"))
        assert calls == ["a", "b", "a"]


class SharedReportDataTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        scored_world()

    def test_the_second_report_of_a_batch_reads_less_and_is_the_same_report(self) -> None:
        kenya = country("KEN")
        with CaptureQueriesContext(connection) as alone:
            expected = country_report_data(country=kenya, language="en")
        with batch_shared():
            country_report_data(country=country("SEN"), language="en")
            with CaptureQueriesContext(connection) as in_batch:
                report = country_report_data(country=kenya, language="en")
        assert report == expected
        assert len(in_batch.captured_queries) < len(alone.captured_queries)
        catalogue = [q for q in in_batch.captured_queries if "planning_intervention" in q["sql"]]
        assert catalogue == [], "the catalogue is read once per batch"
