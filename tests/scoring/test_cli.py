"""The command-line scorer: good tables, every kind of bad input, and no database."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from scoring.cli import TableError, score_table
from surveys.frameworks.reading import FrameworkError
from tests.framework_fixtures import SMALL_FRAMEWORK
from tests.scoring.helpers import NET_1_B

ROOT = Path(__file__).resolve().parents[2]

GOOD = """country,NET.1.a,NET.1.b,GOV.1.a,GOV.1.b,GOV.1.c,GOV.2.c,NET.2.a,NET.2.b,SKL.1.a,SKL.1.b
Kenya,50,10,3,yes,partial,no,mobile,fibre|satellite,yes,DK
Senegal,30,NA,1,partial,,yes,fibre,,,
"""


class ScoreTableTests(SimpleTestCase):
    """SimpleTestCase refuses database queries: the scorer must not need one."""

    def setUp(self) -> None:
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def write(self, text: str, name: str = "data.csv") -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path

    def score(self, text: str) -> list[dict[str, str]]:
        out = self.folder / "out.csv"
        score_table(SMALL_FRAMEWORK, self.write(text), out)
        with out.open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def errors(self, text: str) -> list[str]:
        with pytest.raises(TableError) as error:
            score_table(SMALL_FRAMEWORK, self.write(text), self.folder / "out.csv")
        return error.value.errors

    def test_a_good_table_gives_overall_pillar_and_indicator_scores_gaps_and_stages(self) -> None:
        rows = self.score(GOOD)
        kenya, senegal = rows
        # The same answers as tests/scoring/helpers.FULL_ANSWERS: hand-computed there.
        assert float(kenya["overall"]) == pytest.approx(
            (35 + ((50 + NET_1_B) / 2 + 62.5) / 2) / 2, abs=1e-4
        )
        assert kenya["GOV"] == "35" and kenya["GOV gap"] == "65"
        assert kenya["GOV stage"] == "Opportunistic"
        assert kenya["SKL stage"] == "insufficient data" and kenya["SKL"] == ""
        assert kenya["NET.2"] == "62.5"
        assert "SKL: insufficient data" in kenya["notes"]
        # Senegal: NET.1.b not applicable → NET.1 is NET.1.a alone; SKL hidden (GOV.1.a < 2).
        assert senegal["NET.1"] == "30"
        assert senegal["SKL stage"] == "no data"
        assert list(rows[0])[:6] == [
            "unit",
            "overall",
            "overall gap",
            "overall stage",
            "overall coverage",
            "notes",
        ]

    def test_an_indicator_code_names_its_only_question(self) -> None:
        framework = self.write(SMALL_FRAMEWORK.read_text(encoding="utf-8"), name="framework.yaml")
        out = self.folder / "out.csv"
        score_table(framework, self.write("unit,GOV.2\nA,yes\n"), out)
        assert "A," in out.read_text(encoding="utf-8")

    def test_a_semicolon_table_with_a_byte_order_mark_is_read(self) -> None:
        path = self.folder / "excel.csv"
        path.write_bytes("\ufeffcountry;NET.1.a\nKenya;50\n".encode())
        out = self.folder / "out.csv"
        summary = score_table(SMALL_FRAMEWORK, path, out)
        assert summary.units == 1 and summary.columns == 1
        assert "NET.1.a" not in summary.missing_questions

    def test_an_unknown_column_is_named(self) -> None:
        assert self.errors("country,NET.1.a,XYZ\nKenya,1,2\n") == [
            "row 1, column 3 ('XYZ'): not a question or indicator code of framework "
            "'test_framework' 1.0"
        ]

    def test_an_unnamed_column_is_reported(self) -> None:
        assert "row 1, column 2: the column has no name" in self.errors("country,\nKenya,1\n")[0]

    def test_an_unscored_question_column_is_reported(self) -> None:
        assert "question 'GOV.2.a' is not scored" in self.errors("c,GOV.2.a\nKenya,x\n")[0]

    def test_an_indicator_with_several_questions_needs_question_columns(self) -> None:
        assert "indicator 'NET.1' has 2 scored questions" in self.errors("c,NET.1\nK,1\n")[0]

    def test_a_question_given_twice_is_reported(self) -> None:
        errors = self.errors("c,GOV.2.c,GOV.2\nK,yes,no\n")
        assert errors == [
            "row 1, column 3 ('GOV.2'): question 'GOV.2.c' is already given by column 2"
        ]

    def test_an_empty_unit_name_is_reported_with_its_row(self) -> None:
        assert self.errors("c,NET.1.a\nKenya,1\n ,2\n") == [
            "row 3, column 1: the unit name is empty"
        ]

    def test_a_duplicate_unit_is_reported_with_both_rows(self) -> None:
        assert self.errors("c,NET.1.a\nKenya,1\nGhana,2\nKenya,3\n") == [
            "row 4, column 1: unit 'Kenya' is already on row 2"
        ]

    def test_a_non_numeric_cell_is_reported_with_row_and_column(self) -> None:
        assert self.errors("c,GOV.1.a,NET.1.a\nKenya,2,abc\n") == [
            "row 2, column 3 ('NET.1.a'): 'abc' is not a number"
        ]

    def test_a_decimal_comma_is_not_guessed(self) -> None:
        assert self.errors('c,NET.1.a\nKenya,"12,5"\n') == [
            "row 2, column 2 ('NET.1.a'): '12,5' is not a number"
        ]

    def test_a_bad_level_or_choice_is_reported(self) -> None:
        errors = self.errors("c,GOV.1.a,GOV.1.b,NET.2.b\nKenya,9,maybe,fibre|copper\n")
        assert errors[0].startswith("row 2, column 2 ('GOV.1.a'): level 9 is not one of")
        assert errors[1].startswith("row 2, column 3 ('GOV.1.b'): 'maybe' is not one of")
        assert errors[2].startswith("row 2, column 4 ('NET.2.b'): 'copper' is not one of")

    def test_a_value_outside_the_log_scale_is_reported(self) -> None:
        assert "ln(x + 1) scaling needs a value above -1" in self.errors("c,NET.1.b\nK,-3\n")[0]

    def test_a_row_with_the_wrong_number_of_cells_is_reported(self) -> None:
        assert self.errors("c,NET.1.a\nKenya,1,2\n") == [
            "row 2: 3 cells but the header has 2 columns"
        ]

    def test_an_empty_table_is_reported(self) -> None:
        assert self.errors("") == ["row 1: the table is empty; expected a header row"]
        assert self.errors("c,NET.1.a\n") == ["row 2: the table has no data rows"]
        assert self.errors("country\nKenya\n") == [
            "row 1: expected a unit column and at least one indicator column"
        ]

    def test_every_problem_is_reported_at_once(self) -> None:
        assert len(self.errors("c,NET.1.a,XX\nK,a,1\n,b,2\n")) == 4

    def test_a_bad_framework_file_names_its_problem(self) -> None:
        framework = self.write("code: x\n", name="framework.yaml")
        with pytest.raises(FrameworkError, match="version"):
            score_table(framework, self.write(GOOD), self.folder / "out.csv")

    def test_the_command_writes_the_same_table(self) -> None:
        out = self.folder / "command.csv"
        call_command(
            "score",
            framework=str(SMALL_FRAMEWORK),
            data=str(self.write(GOOD)),
            out=str(out),
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
        assert out.read_text(encoding="utf-8").startswith("unit,overall,")

    def test_the_command_turns_bad_input_into_a_command_error(self) -> None:
        with pytest.raises(CommandError, match="row 2, column 2"):
            call_command(
                "score",
                framework=str(SMALL_FRAMEWORK),
                data=str(self.write("c,NET.1.a\nK,x\n")),
                out=str(self.folder / "out.csv"),
            )

    def test_a_missing_file_is_a_command_error(self) -> None:
        with pytest.raises(CommandError, match="no-such.csv"):
            call_command(
                "score",
                framework=str(SMALL_FRAMEWORK),
                data=str(self.folder / "no-such.csv"),
                out=str(self.folder / "out.csv"),
            )


def test_the_command_exits_non_zero_on_bad_input_without_a_database(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("country,NET.1.a\nKenya,lots\n", encoding="utf-8")
    # A database URL that cannot be opened proves the scorer never connects.
    environment = os.environ | {
        "DEBUG": "1",
        "DATABASE_URL": "sqlite:////nonexistent-folder/never.sqlite3",
    }
    command = [sys.executable, "manage.py", "score", "--framework", str(SMALL_FRAMEWORK)]
    bad = subprocess.run(
        [*command, "--data", str(data), "--out", "-"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "row 2, column 2 ('NET.1.a'): 'lots' is not a number" in bad.stderr
    data.write_text("country,NET.1.a\nKenya,40\n", encoding="utf-8")
    good = subprocess.run(
        [*command, "--data", str(data), "--out", "-"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines()[1].startswith("Kenya,")
