"""Catalogue loading: the documented YAML and CSV formats, all-or-nothing, every error placed."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from planning.catalogue import (
    CatalogueError,
    catalogue_load,
    expand_targets,
    read_catalogue_file,
    read_catalogue_text,
    validate_catalogue,
)
from planning.models import DeliveryChannel, Intervention, InterventionKind
from surveys.frameworks.loader import load_framework_file
from tests.factories import make_framework
from tests.planning.helpers import CATALOGUE_YAML, load_test_catalogue

ROOT = Path(__file__).resolve().parents[2]

GOOD_CSV = "\n".join(
    [
        "framework,code,title_en,title_fr,kind,channel,targets,cost,duration_months,"
        "prerequisites,exclusions,active",
        "test_framework,STRAT,Strategy support,Appui,policy_support,country_programme,"
        "GOV.1=30,100000,6,,,true",
        "test_framework,SKILLS,Skills course,Cours,training_course,training_institute,"
        'SKL=25; NET.1=5,"150,000",12,STRAT,,yes',
        "",
    ]
)


def bad_yaml(**fields: object) -> str:
    """The test catalogue with one more intervention made of ``fields`` over good defaults."""
    entry = {
        "code": "BAD",
        "title": "{en: Bad}",
        "kind": "training_course",
        "channel": "training_institute",
        "targets": "{GOV.1: 5}",
        "cost": "1000",
        "duration_months": "3",
    } | {key: str(value) for key, value in fields.items()}
    lines = "\n".join(f"    {key}: {value}" for key, value in entry.items())
    return CATALOGUE_YAML + "  - " + lines.lstrip()


class CatalogueLoadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_framework()

    def test_a_good_yaml_catalogue_is_stored_with_every_field(self) -> None:
        load_test_catalogue()
        network = Intervention.objects.get(framework_code="test_framework", code="NET-BUILD")
        assert network.title == {"en": "Network build", "fr": "Construction du réseau"}
        assert network.kind == InterventionKind.INFRASTRUCTURE
        assert network.channel == DeliveryChannel.OTHER_PARTNER
        assert network.targets == {"NET.1": 20.0, "NET.2": 10.0}
        assert network.cost == Decimal("800000.00")
        assert network.duration_months == 24
        assert network.prerequisites == ["STRAT"]
        assert Intervention.objects.get(code="SKILLS-LITE").exclusions == ["SKILLS"]
        assert Intervention.objects.count() == 4

    def test_loading_again_updates_by_code_and_can_deactivate_the_missing(self) -> None:
        load_test_catalogue()
        changed = CATALOGUE_YAML.replace("cost: 100000", "cost: 120000")
        result = catalogue_load(catalogue=read_catalogue_text(changed, csv_format=False))
        assert (result.created, result.updated) == (0, 4)
        assert Intervention.objects.get(code="STRAT").cost == Decimal("120000")
        only_strat = CATALOGUE_YAML.split("  - code: NET-BUILD")[0]
        result = catalogue_load(
            catalogue=read_catalogue_text(only_strat, csv_format=False), deactivate_missing=True
        )
        assert result.deactivated == 3
        assert list(Intervention.objects.filter(active=True).values_list("code", flat=True)) == [
            "STRAT"
        ]

    def test_a_good_csv_catalogue_is_stored(self) -> None:
        result = catalogue_load(catalogue=read_catalogue_text(GOOD_CSV, csv_format=True))
        assert result.created == 2
        skills = Intervention.objects.get(code="SKILLS")
        assert skills.targets == {"SKL": 25.0, "NET.1": 5.0}
        assert skills.cost == Decimal("150000")
        assert skills.prerequisites == ["STRAT"]
        assert skills.title == {"en": "Skills course", "fr": "Cours"}

    def test_every_problem_is_reported_with_its_place_and_nothing_is_written(self) -> None:
        text = (
            CATALOGUE_YAML.replace("cost: 100000", "cost: 0")
            .replace("targets: {SKL: 25}", "targets: {SKL.9: 25}")
            .replace("prerequisites: [STRAT]", "prerequisites: [NOPE]")
        )
        with pytest.raises(CatalogueError) as caught:
            catalogue_load(catalogue=read_catalogue_text(text, csv_format=False))
        errors = caught.value.errors
        assert "interventions[0] (STRAT), cost: the cost must be more than zero, got 0" in errors
        assert (
            "interventions[2] (SKILLS), targets: unknown indicator or pillar code 'SKL.9'" in errors
        )
        assert "interventions[1] (NET-BUILD), prerequisites: unknown intervention code 'NOPE'" in (
            errors
        )
        assert Intervention.objects.count() == 0

    def test_negative_costs_are_refused(self) -> None:
        with pytest.raises(CatalogueError, match=r"interventions\[4\] \(BAD\), cost: .*-5"):
            catalogue_load(catalogue=read_catalogue_text(bad_yaml(cost=-5), csv_format=False))

    def test_a_csv_error_names_row_and_column(self) -> None:
        text = GOOD_CSV.replace("GOV.1=30", "GOV.7=30").replace(",6,", ",0,")
        with pytest.raises(CatalogueError) as caught:
            catalogue_load(catalogue=read_catalogue_text(text, csv_format=True))
        assert (
            "row 2 (STRAT), column targets: unknown indicator or pillar code 'GOV.7'"
            in caught.value.errors
        )
        assert any(
            e.startswith("row 2 (STRAT), column duration_months") for e in caught.value.errors
        )

    def test_an_unknown_csv_column_is_refused(self) -> None:
        with pytest.raises(CatalogueError, match="column 'price': unknown column"):
            read_catalogue_text(GOOD_CSV.replace("cost,", "price,", 1), csv_format=True)

    def test_an_empty_catalogue_is_refused(self) -> None:
        empty = "format: intervention-catalogue/1\nframework: test_framework\ninterventions: []\n"
        with pytest.raises(CatalogueError, match="the catalogue is empty"):
            catalogue_load(catalogue=read_catalogue_text(empty, csv_format=False))

    def test_a_catalogue_for_a_framework_not_loaded_is_refused(self) -> None:
        with pytest.raises(CatalogueError, match="no framework with code 'other'"):
            catalogue_load(
                catalogue=read_catalogue_text(CATALOGUE_YAML, csv_format=False),
                framework_code="other",
            )

    def test_duplicate_codes_unknown_kinds_and_cycles_are_refused(self) -> None:
        cases = {
            "duplicate code 'STRAT'": bad_yaml(code="STRAT"),
            "unknown kind 'webinar'": bad_yaml(kind="webinar"),
            "unknown channel 'tv'": bad_yaml(channel="tv"),
            "refers to itself": bad_yaml(prerequisites="[BAD]"),
            "language 'de'": bad_yaml(title="{en: Bad, de: Schlecht}"),
            "unknown field 'price'": bad_yaml(price=3),
            "(0, 100]": bad_yaml(targets="{GOV.1: 0}"),
            "cycle STRAT → BAD → STRAT": bad_yaml(prerequisites="[STRAT]").replace(
                "    duration_months: 6\n", "    duration_months: 6\n    prerequisites: [BAD]\n", 1
            ),
        }
        for expected, text in cases.items():
            with self.subTest(expected), pytest.raises(CatalogueError) as caught:
                catalogue_load(catalogue=read_catalogue_text(text, csv_format=False))
            assert expected in str(caught.value)

    def test_the_admin_form_validation_refuses_unknown_indicators(self) -> None:
        item = Intervention(
            framework_code="test_framework",
            code="X",
            title={"en": "X"},
            kind="other",
            channel="other_partner",
            targets={"GOV.9": 5},
            cost=Decimal(10),
            duration_months=1,
        )
        with pytest.raises(ValidationError, match="unknown indicator or pillar code 'GOV.9'"):
            item.full_clean()

    def test_the_command_loads_a_file_and_reports_problems(self) -> None:
        path = self._write("catalogue.yaml", CATALOGUE_YAML)
        out = StringIO()
        call_command("load_catalogue", str(path), stdout=out)
        assert "4 created" in out.getvalue()
        bad = self._write("bad.yaml", bad_yaml(cost=0))
        err = StringIO()
        with pytest.raises(CommandError, match="1 problem in .*nothing was written"):
            call_command("load_catalogue", str(bad), stderr=err)
        assert "interventions[4] (BAD), cost: the cost must be more than zero" in err.getvalue()

    def _write(self, name: str, text: str) -> Path:
        import tempfile

        folder = Path(tempfile.mkdtemp())
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path


class StarterCatalogueTests(SimpleTestCase):
    def test_the_starter_catalogue_is_valid_and_covers_every_indicator_pillar_and_channel(
        self,
    ) -> None:
        spec = load_framework_file(ROOT / "frameworks" / "dcna-2026.yaml")
        catalogue = read_catalogue_file(ROOT / "frameworks" / "dcna-2026-interventions.yaml")
        assert catalogue.framework_code == spec.code
        items = validate_catalogue(catalogue.entries, spec)
        assert len(items) >= 30
        covered = set().union(*(expand_targets(item.targets, spec) for item in items))
        assert covered == {indicator.code for indicator in spec.indicators}
        assert {item.channel for item in items} == set(DeliveryChannel.values)
        # Every intervention is written in every language the framework declares.
        languages = set(spec.languages)
        assert languages >= {"en", "fr", "es"}
        assert all(set(item.title) == languages for item in items)
        assert all(set(item.description) == languages for item in items)

    def test_a_pillar_target_improves_each_indicator_of_the_pillar(self) -> None:
        spec = load_framework_file(ROOT / "tests" / "fixtures" / "small-framework.yaml")
        assert expand_targets({"NET": 5, "NET.1": 2}, spec) == {"NET.1": 7.0, "NET.2": 5.0}
