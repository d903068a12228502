"""A country's ranked needs are written once: the planner page's CSV and the priorities export
give the same columns and the same values."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import TestCase
from django.urls import reverse

from planning.services import NEED_COLUMNS
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_assessment, make_user
from tests.planning.helpers import load_test_catalogue, make_scores

SCORES = {"GOV.1": 20.0, "GOV.2": 70.0, "NET.1": 40.0, "NET.2": 90.0, "SKL.1": 10.0}


class NeedsCsvTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        make_scores(make_assessment("SEN"), SCORES)
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)

    def rows(self, response) -> list[list[str]]:
        return list(csv.reader(io.StringIO(b"".join(response).decode("utf-8-sig"))))

    def test_the_page_csv_and_the_priorities_export_write_the_same_needs(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        page = self.rows(
            self.client.get(
                reverse("planning:planner-country", args=["SEN"]),
                {"format": "csv", "table": "needs"},
            )
        )
        exported = self.rows(
            self.client.get(
                reverse("exchange:export-download"),
                {"dataset": "priorities", "layout": "long", "file_format": "csv"},
            )
        )
        assert page[0] == list(NEED_COLUMNS)
        assert exported[0][-len(NEED_COLUMNS) :] == list(NEED_COLUMNS)
        assert len(page) == 6  # the header and five indicators with a gap
        from_export = [row[-len(NEED_COLUMNS) :] for row in exported[1:]]
        priority = NEED_COLUMNS.index("priority")
        for mine, theirs in zip(page[1:], from_export, strict=True):
            # The page passes the planner's weights explicitly: the sum may differ in the
            # last binary digit from the export's default weights.
            assert float(mine[priority]) == pytest.approx(float(theirs[priority]), abs=1e-12)
            mine[priority] = theirs[priority]
        assert from_export == page[1:]
