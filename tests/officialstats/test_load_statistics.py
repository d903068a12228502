"""Loading a statistics source: the documented file format, all-or-nothing, idempotent."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from officialstats.files import StatisticsFileError, parse_statistics_text
from officialstats.idi2024 import DATA_DIR
from officialstats.models import OfficialValue, SourceEconomy, StatisticsSource
from tests.factories import make_user
from tests.officialstats.helpers import (
    DEMO_ROWS,
    HEAD,
    make_linked_framework,
    make_source,
    statistics_text,
)

IDI_FILE = DATA_DIR / "idi2024.statistics.csv"


class LoadStatisticsCommandTests(TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def write(self, text: str) -> str:
        path = self.folder / "stats.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def load(self, path: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("load_statistics", path, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_shipped_idi_file_loads_every_economy_and_again_changes_nothing(self) -> None:
        first, _ = self.load(str(IDI_FILE))
        source = StatisticsSource.objects.get(code="itu-idi-2024")
        assert "ITU" in source.attribution and source.licence.startswith("© ITU 2024")
        assert SourceEconomy.objects.filter(source=source).count() == 170
        albania = OfficialValue.objects.get(
            economy__iso3="ALB", indicator__code="internet_users_pct"
        )
        assert (albania.value, albania.year, albania.estimate) == (82.6, 2022, False)
        owners = OfficialValue.objects.get(economy__iso3="ALB", indicator__code="mobile_owners_pct")
        assert owners.estimate  # marked † in the report
        afghan_3g = OfficialValue.objects.get(economy__iso3="AFG", indicator__code="cov_3g_pct")
        assert (afghan_3g.year, afghan_3g.lagged) == (2021, True)  # marked ‡: a 2021 value
        count = OfficialValue.objects.count()
        again, _ = self.load(str(IDI_FILE))
        assert "created" in first and "already up to date" in again
        assert OfficialValue.objects.count() == count

    def test_a_changed_value_is_updated_and_a_dropped_one_removed(self) -> None:
        self.load(self.write(statistics_text(DEMO_ROWS)))
        changed = DEMO_ROWS.replace("69.8", "70.1").replace(
            "FRA,France,Europe,High income,internet_use,Internet use,percent,2022,85.3,,\n", ""
        )
        out, _ = self.load(self.write(statistics_text(changed)))
        assert "1 updated" in out and "removed" in out
        assert OfficialValue.objects.get(economy__iso3="GHA").value == 70.1
        assert not SourceEconomy.objects.filter(iso3="FRA").exists()

    def test_bad_file_is_refused_with_every_error_and_nothing_written(self) -> None:
        make_linked_framework()  # NET.1.a expects internet_use in percent
        bad_rows = (
            "SEN,Senegal,Africa,,internet_use,Internet use,ratio,2022,0.6,,\n"
            "XYZ,Nowhere,Africa,,other,Other,percent,2022,1,,\n"
            "GHA,Ghana,Africa,,other,Other,percent,2022,many,,\n"
            "KEN,Kenya,Africa,,other,Other,percent,2022,3,,\n"
            "KEN,Kenya,Africa,,other,Other,percent,2022,4,,\n"
        )
        head = "\n".join(line for line in HEAD.splitlines() if not line.startswith("# attribution"))
        path = self.write(statistics_text(bad_rows, head=head + "\n"))
        err = io.StringIO()
        with self.assertRaisesMessage(CommandError, "5 problem(s)"):
            call_command("load_statistics", path, stdout=io.StringIO(), stderr=err)
        report = err.getvalue()
        assert "column attribution: the source needs '# attribution: …'" in report
        assert "row 9, column unit: 'internet_use' is in 'ratio' but question NET.1.a" in report
        assert "row 10, column iso3: 'XYZ' is not an ISO 3166-1 alpha-3 code" in report
        assert "row 11, column value: 'many' is not a number" in report
        assert "row 13: KEN other 2022 is already given on row 12" in report
        assert not StatisticsSource.objects.exists() and not OfficialValue.objects.exists()

    def test_bad_file_leaves_a_loaded_source_untouched(self) -> None:
        self.load(self.write(statistics_text(DEMO_ROWS)))
        with self.assertRaises(CommandError):
            self.load(self.write(statistics_text(DEMO_ROWS.replace("60.6", "sixty"))))
        assert OfficialValue.objects.get(economy__iso3="SEN", year=2022).value == 60.6

    def test_missing_file_is_a_clear_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "No such file"):
            self.load(str(self.folder / "absent.csv"))


class StatisticsFileFormatTests(TestCase):
    def errors(self, text: str) -> list[str]:
        with self.assertRaises(StatisticsFileError) as caught:
            parse_statistics_text(text)
        return caught.exception.errors

    def test_unknown_and_missing_columns_are_named(self) -> None:
        text = HEAD + "iso3,economy,indicator,unit,year,amount\nSEN,Senegal,x,percent,2022,1\n"
        assert self.errors(text) == [
            "row 9, column amount: unknown column; expected some of iso3, economy, region, "
            "income_group, indicator, indicator_name, unit, year, value, estimate, lagged",
            "row 9, column value: this required column is missing",
        ]

    def test_an_indicator_with_two_units_is_refused(self) -> None:
        rows = (
            "SEN,Senegal,,,use,Use,percent,2022,60,,\n"
            "GHA,Ghana,,,use,Use,per_100_inhabitants,2022,60,,\n"
        )
        assert self.errors(statistics_text(rows)) == [
            "row 11, column unit: indicator 'use' has another unit or name on row 10"
        ]

    def test_flags_must_be_yes_or_no(self) -> None:
        rows = "SEN,Senegal,,,use,Use,percent,2022,60,maybe,\n"
        assert self.errors(statistics_text(rows)) == [
            "row 10, column estimate: 'maybe' is not a flag; use 1 (yes) or leave it empty (no)"
        ]


class StatisticsAdminTests(TestCase):
    def test_administrators_see_sources_and_values_but_cannot_change_them(self) -> None:
        make_source()
        admin = make_user("root", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        page = self.client.get("/admin/officialstats/officialvalue/")
        assert page.status_code == 200 and "Senegal (SEN)" in page.content.decode()
        source = StatisticsSource.objects.get()
        detail = self.client.get(f"/admin/officialstats/statisticssource/{source.pk}/change/")
        assert detail.status_code == 200 and "Demo statistics office" in detail.content.decode()
        assert self.client.get("/admin/officialstats/officialvalue/add/").status_code == 403
        value = OfficialValue.objects.first()
        deleted = self.client.post(
            f"/admin/officialstats/officialvalue/{value.pk}/delete/", {"post": "yes"}
        )
        assert deleted.status_code == 403 and OfficialValue.objects.filter(pk=value.pk).exists()
