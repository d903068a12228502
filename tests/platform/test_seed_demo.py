"""The demo platform a new user sees after `make run`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from demo.loader import DEMO_PASSWORD
from scoring.models import Score, ScoreRun
from surveys.models import Assessment, AssessmentState, Role, RoleAssignment


@override_settings(DEBUG=True)
class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = StringIO()
        # Scoring runs after each transition commits, as it does outside tests.
        with cls.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=cls.output)

    def test_prints_a_login_for_every_role(self) -> None:
        printed = self.output.getvalue()
        assert DEMO_PASSWORD in printed
        for username in ["admin", "planner", "focal.sen", "reviewer.sen"]:
            assert username in printed

    def test_every_role_has_a_user(self) -> None:
        roles = set(RoleAssignment.objects.values_list("role", flat=True))
        assert {Role.FOCAL_POINT, Role.REVIEWER, Role.PLANNER, Role.ADMINISTRATOR} <= roles

    def test_assessments_cover_the_workflow(self) -> None:
        states = set(Assessment.objects.values_list("state", flat=True))
        assert states == set(AssessmentState.values) - {AssessmentState.RESUBMITTED}

    def test_submitted_assessments_are_scored_and_the_round_is_compared(self) -> None:
        approved = Assessment.objects.filter(state=AssessmentState.APPROVED)
        for assessment in approved:
            assert Score.objects.filter(run__assessment=assessment, level="overall").exists()
        cohort = ScoreRun.objects.get(kind="cohort")
        assert (
            Score.objects.filter(run=cohort, level="overall", rank_low__isnull=False).count() >= 2
        )

    def test_running_it_again_changes_nothing(self) -> None:
        counts = (Assessment.objects.count(), ScoreRun.objects.count())
        call_command("seed_demo", stdout=StringIO())
        assert (Assessment.objects.count(), ScoreRun.objects.count()) == counts

    def test_demo_logins_work(self) -> None:
        assert self.client.login(username="focal.sen", password=DEMO_PASSWORD)
        assert self.client.get("/").status_code == 200

    @override_settings(SITE_URL="http://127.0.0.1:8102")
    def test_make_run_prints_a_stakeholder_link_that_works_and_replaces_the_last_one(self) -> None:
        links = []
        for _ in range(2):
            printed = StringIO()
            call_command("demo_stakeholder_link", stdout=printed)
            links.append(printed.getvalue().split(": ", 1)[1].strip())
        assert all(link.startswith("http://127.0.0.1:8102/s/") for link in links)
        path = links[1].removeprefix("http://127.0.0.1:8102")
        # The link puts its token in the session and moves to the token-free stakeholder page.
        opened = self.client.get(path, follow=True)
        assert opened.status_code == 200 and opened.redirect_chain[-1][0] == "/s/"
        # The previous demo link was withdrawn, so links do not pile up.
        previous = links[0].removeprefix("http://127.0.0.1:8102")
        assert self.client.get(previous, follow=True).status_code == 410


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_with_debug_off() -> None:
    with pytest.raises(CommandError, match="public password"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_score_cohort_rejects_unknown_states_and_empty_rounds() -> None:
    with override_settings(DEBUG=True):
        call_command("load_framework", "frameworks/dcna-2026.yaml", "--publish", stdout=StringIO())
    with pytest.raises(CommandError, match="Unknown state"):
        call_command("score_cohort", "--round", "2026", "--states", "bogus")
    with pytest.raises(CommandError, match="at least two assessments"):
        call_command("score_cohort", "--round", "1999")
