"""ODK Central / KoboToolbox submission exports as stakeholder responses (issue 20)."""

from __future__ import annotations

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from exchange.submissions import submissions_import
from scoring.adapter import framework_layout
from scoring.agreement import stakeholder_agreement
from surveys.models import AssessmentState, StakeholderAnswer, StakeholderInvitation
from surveys.services.stakeholders import InvitationUnusable
from tests.exchange.helpers import csv_bytes, xlsx_bytes
from tests.factories import PASSWORD, make_assessment, make_focal_point

KOBO_HEADER = [
    "start",
    "end",
    "GOV/GOV.1/GOV.1.a",
    "GOV/GOV.1/GOV.1.b",
    "NET/NET.1/NET.1.b",
    "NET/NET.2/NET.2.b",
    "NET/NET.2/NET.2.b/fibre",
    "NET/NET.2/NET.2.b/satellite",
    "organisation_type",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "__version__",
    "formhub/uuid",
]


def kobo_row(uuid: str, level: str, yes: str, kind: str = "academia") -> list[str]:
    return [
        "2026-11-02T10:00:00.000+01:00",
        "2026-11-02T10:20:00.000+01:00",
        level,
        yes,
        "12.5",
        "fibre satellite",
        "1",
        "1",
        kind,
        f"uuid:{uuid}",
        "41",
        uuid,
        "2026-11-02T09:21:00",
        "vH7xq",
        "6f0c5d",
    ]


def agreement(assessment) -> list[dict]:
    """What scoring reads (scoring/services.py ``_agreement_rows``), computed the same way."""
    rows = StakeholderAnswer.objects.filter(
        invitation__assessment=assessment, status="answered"
    ).values_list("invitation_id", "question_code", "value")
    layout = framework_layout(assessment.framework.spec)
    return stakeholder_agreement(layout, list(rows), seed=1, n_resamples=99)


class SubmissionsImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")

    def run_import(self, data: bytes, name: str = "kobo.csv", *, dry_run: bool):
        return submissions_import(
            assessment=self.assessment,
            actor=self.focal,
            source=io.BytesIO(data),
            name=name,
            size=len(data),
            dry_run=dry_run,
        )

    def test_a_kobo_csv_becomes_responses_that_change_the_agreement_figures(self) -> None:
        data = csv_bytes(
            [
                KOBO_HEADER,
                kobo_row("a1", "3", "yes"),
                kobo_row("b2", "1", "no", "private_sector"),
                kobo_row("c3", "2", "partial", "civil_society"),
            ]
        )
        assert agreement(self.assessment) == []
        preview = self.run_import(data, dry_run=True)
        assert preview.ok, preview.errors
        assert [item.instance_id for item in preview.planned] == ["uuid:a1", "uuid:b2", "uuid:c3"]
        assert not StakeholderInvitation.objects.filter(assessment=self.assessment).exists()
        result = self.run_import(data, dry_run=False)
        assert result.applied
        responses = StakeholderInvitation.objects.filter(assessment=self.assessment)
        assert sorted(responses.values_list("organisation_type", flat=True)) == [
            "academia",
            "civil_society",
            "private_sector",
        ]
        first = responses.get(instance_id="uuid:a1")
        assert not first.is_usable  # a response, not a working link
        answers = {a.question_code: a.value for a in first.answers.all()}
        assert answers == {
            "GOV.1.a": 3,
            "GOV.1.b": "yes",
            "NET.1.b": 12.5,
            "NET.2.b": ["fibre", "satellite"],
        }
        figures = {(r["scope"], r["code"]): r for r in agreement(self.assessment)}
        assert figures[("question", "GOV.1.b")]["respondents"] == 3

    def test_importing_the_same_export_again_adds_nothing(self) -> None:
        data = csv_bytes([KOBO_HEADER, kobo_row("a1", "3", "yes")])
        self.run_import(data, dry_run=False)
        again = self.run_import(
            csv_bytes([KOBO_HEADER, kobo_row("a1", "3", "yes"), kobo_row("d4", "4", "no")]),
            dry_run=False,
        )
        assert again.duplicates == [(2, "uuid:a1")]
        assert [item.instance_id for item in again.planned] == ["uuid:d4"]
        assert StakeholderInvitation.objects.filter(assessment=self.assessment).count() == 2

    def test_odk_central_csv_and_nested_json_are_read(self) -> None:
        version = self.assessment.framework.version
        odk = csv_bytes(
            [
                ["SubmissionDate", "GOV-GOV.1-GOV.1.a", "meta-instanceID", "KEY", "FormVersion"],
                ["2026-11-02T09:21:00.000Z", "2", "uuid:e5", "uuid:e5", version],
            ]
        )
        assert self.run_import(odk, "central.csv", dry_run=False).applied
        odata = {
            "value": [
                {
                    "__id": "uuid:f6",
                    "GOV": {"GOV.1": {"GOV.1.a": 4, "GOV.1.b": "partial"}},
                    "__system": {"submissionDate": "2026-11-03T08:00:00.000Z"},
                }
            ]
        }
        result = self.run_import(json.dumps(odata).encode(), "central.json", dry_run=False)
        assert result.applied, result.errors
        stored = StakeholderAnswer.objects.filter(invitation__instance_id="uuid:f6")
        assert {a.question_code: a.value for a in stored} == {"GOV.1.a": 4, "GOV.1.b": "partial"}

    def test_every_problem_is_listed_and_nothing_is_written(self) -> None:
        header = [*KOBO_HEADER, "GOV/GOV.9/GOV.9.z"]
        data = xlsx_bytes(
            [
                header,
                [*kobo_row("a1", "7", "maybe"), ""],
                [*kobo_row("", "2", "yes", "lobbyist")[:9], "", "", "", "", "", ""],
            ]
        )
        result = self.run_import(data, "kobo.xlsx", dry_run=False)
        assert [(e.row, e.column) for e in result.errors] == [(1, "gov/gov.9/gov.9.z")]
        data = xlsx_bytes(
            [
                KOBO_HEADER,
                kobo_row("a1", "7", "maybe"),
                kobo_row("x", "2", "yes", "lobbyist"),
                [*kobo_row("y", "2", "yes")[:9], "", "", "", "", ""],
            ]
        )
        result = self.run_import(data, "kobo.xlsx", dry_run=False)
        places = {(e.row, e.column) for e in result.errors}
        assert (2, "gov/gov.1/gov.1.a") in places  # level 7 does not exist
        assert (2, "gov/gov.1/gov.1.b") in places  # "maybe" is not a choice
        assert (3, "organisation_type") in places
        assert (4, "meta/instanceid") in places
        assert not StakeholderInvitation.objects.filter(assessment=self.assessment).exists()

    def test_another_form_version_is_refused(self) -> None:
        odk = csv_bytes([["GOV-GOV.1-GOV.1.a", "KEY", "FormVersion"], ["2", "uuid:e5", "2019.1"]])
        result = self.run_import(odk, "central.csv", dry_run=True)
        assert [(e.row, e.column) for e in result.errors] == [(2, "formversion")]

    def test_an_approved_assessment_takes_no_more_responses(self) -> None:
        approved = make_assessment("SEN", round=2027, state=AssessmentState.APPROVED)
        with self.assertRaises(InvitationUnusable):
            submissions_import(
                assessment=approved,
                actor=self.focal,
                source=io.BytesIO(csv_bytes([KOBO_HEADER])),
                name="kobo.csv",
            )


class SubmissionsPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")

    def test_preview_then_apply_from_the_page(self) -> None:
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        url = reverse("exchange:submissions-import", args=[self.assessment.pk])
        upload = SimpleUploadedFile(
            "kobo.csv", csv_bytes([KOBO_HEADER, kobo_row("a1", "3", "yes")])
        )
        preview = self.client.post(
            url, {"file": upload, "organisation_type": "ministry", "dry_run": "on"}
        )
        self.assertContains(preview, "uuid:a1")
        assert not StakeholderInvitation.objects.exists()
        applied = self.client.post(url, {"token": preview.context["token"]})
        assert applied.status_code == 302
        assert StakeholderInvitation.objects.get().organisation_type == "academia"

    def test_problems_are_listed_with_row_and_column(self) -> None:
        assert self.client.login(username=self.focal.username, password=PASSWORD)
        url = reverse("exchange:submissions-import", args=[self.assessment.pk])
        upload = SimpleUploadedFile("kobo.csv", csv_bytes([KOBO_HEADER, kobo_row("a", "9", "no")]))
        response = self.client.post(url, {"file": upload, "organisation_type": "other"})
        self.assertContains(response, "gov/gov.1/gov.1.a", status_code=400)
        assert not StakeholderInvitation.objects.exists()
