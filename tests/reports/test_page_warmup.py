"""After new scores a worker computes the kept pages again; readers see the previous page
meanwhile, marked as such, and the pages' queries do not grow with the number of countries."""

from __future__ import annotations

import io
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from background.models import Job, JobStatus
from planning import plan_cache
from planning import services as planning
from reports import regional_page
from scoring.services import score_run_create
from scoring.tasks import scoring_enqueue
from surveys.models import AssessmentState, Country, Role
from tests.factories import PASSWORD, give_role, make_assessment, make_reviewer, make_user
from tests.planning.helpers import load_test_catalogue, make_scores
from tests.reports.support import scored_world

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REGIONAL = reverse("reports:regional-dashboard")
DEMAND = reverse("planning:planner-demand")


def waiting_warmup() -> Job:
    """A warm-up queued after new scores that no worker has taken yet."""
    return Job.objects.create(
        kind=plan_cache.WARMUP_KIND,
        key="warm-pages:test",
        task_path="reports.warmup.warm_pages",
        status=JobStatus.WAITING,
    )


@override_settings(CACHES=LOCAL_CACHE)
class PageWarmupTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.planner = make_user("warm_planner")
        give_role(cls.planner, Role.PLANNER)
        cls.kenyan = make_reviewer("KEN", "warm_kenyan_reviewer")

    def setUp(self) -> None:
        cache.clear()
        self.client.login(username=self.planner.username, password=PASSWORD)

    def builds(self, url: str) -> tuple[int, int, str]:
        """(regional reports built, demands built, page) for one GET of ``url``."""
        with (
            mock.patch.object(
                regional_page, "regional_report_data", wraps=regional_page.regional_report_data
            ) as regional,
            mock.patch.object(
                plan_cache.planning, "demand_build", wraps=planning.demand_build
            ) as demand,
        ):
            response = self.client.get(url)
        assert response.status_code == 200
        return regional.call_count, demand.call_count, response.content.decode()

    @override_settings(PAGE_WARMUP_AFTER_SCORING=True)
    def test_a_score_job_warms_both_pages_so_the_next_views_compute_nothing(self) -> None:
        scoring_enqueue(assessment=self.world["kenya"], trigger="approve")
        warmup = Job.objects.get(kind=plan_cache.WARMUP_KIND)
        assert warmup.status == JobStatus.DONE
        assert warmup.result["languages"] == 4
        assert self.builds(REGIONAL)[:2] == (0, 0)
        assert self.builds(DEMAND)[:2] == (0, 0)

    @override_settings(PAGE_WARMUP_AFTER_SCORING=True)
    def test_the_score_job_keeps_its_countrys_default_plan_in_every_language(self) -> None:
        scoring_enqueue(assessment=self.world["kenya"], trigger="approve")
        solves = {}
        for code in ("KEN", "SEN"):
            for language in ("en", "ar"):
                with mock.patch.object(
                    planning, "country_portfolio", wraps=planning.country_portfolio
                ) as solver:
                    url = reverse("planning:planner-country", args=[code])
                    response = self.client.get(url, headers={"accept-language": language})
                    assert response.status_code == 200
                solves[code, language] = solver.call_count
        # Kenya was scored: its plan is kept; Senegal's was not touched.
        assert solves == {("KEN", "en"): 0, ("KEN", "ar"): 0, ("SEN", "en"): 1, ("SEN", "ar"): 1}

    def test_a_burst_of_score_runs_gives_one_waiting_warmup(self) -> None:
        database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        with override_settings(PAGE_WARMUP_AFTER_SCORING=True, TASKS=database_queue):
            first = plan_cache.warmup_enqueue(framework_id=1, round=2026)
            second = plan_cache.warmup_enqueue(framework_id=1, round=2026)
        assert first is not None and second is not None and first.pk == second.pk
        assert Job.objects.filter(kind=plan_cache.WARMUP_KIND).count() == 1

    def test_a_run_stored_while_the_warmup_runs_gets_a_warmup_of_its_own(self) -> None:
        database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        with override_settings(PAGE_WARMUP_AFTER_SCORING=True, TASKS=database_queue):
            running = plan_cache.warmup_enqueue(framework_id=1, round=2026)
            Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)
            after = plan_cache.warmup_enqueue(framework_id=1, round=2026)
            joined = plan_cache.warmup_enqueue(framework_id=1, round=2026)
        assert after.pk != running.pk and after.status == JobStatus.WAITING
        assert joined.pk == after.pk

    def test_new_scores_while_the_warmup_waits_show_the_previous_page_marked_as_such(
        self,
    ) -> None:
        before = self.builds(REGIONAL)[2]
        self.builds(DEMAND)
        score_run_create(assessment=self.world["kenya"], trigger="on_demand", uncertainty=False)
        job = waiting_warmup()
        regional, _demand, page = self.builds(REGIONAL)
        assert regional == 0
        assert "Previous results" in page and "shown until the page is up to date." in page
        assert f'data-job-status-url="{reverse("background:job-status", args=[job.pk])}"' in page
        assert '<meta http-equiv="refresh"' in page
        # The same figures as before, not a half-computed page.
        figures = slice(before.index('id="heat-heading"'), before.index("</main>"))
        assert before[figures] == page[page.index('id="heat-heading"') : page.index("</main>")]
        _regional, demand, page = self.builds(DEMAND)
        assert demand == 0
        assert "Previous results" in page

    def test_once_the_warmup_is_done_the_current_page_is_computed_without_the_notice(
        self,
    ) -> None:
        self.builds(REGIONAL)
        score_run_create(assessment=self.world["kenya"], trigger="on_demand", uncertainty=False)
        waiting_warmup()
        Job.objects.update(status=JobStatus.DONE)
        regional, _demand, page = self.builds(REGIONAL)
        assert regional == 1
        assert "Previous results" not in page

    def test_a_reader_of_one_country_gets_current_figures_not_the_previous_page(self) -> None:
        self.client.login(username=self.kenyan.username, password=PASSWORD)
        self.builds(REGIONAL)
        score_run_create(assessment=self.world["kenya"], trigger="on_demand", uncertainty=False)
        waiting_warmup()
        regional, _demand, page = self.builds(REGIONAL)
        assert regional == 1
        assert "Previous results" not in page and "Senegal" not in page

    def test_without_a_previous_page_the_page_is_computed_in_the_request(self) -> None:
        waiting_warmup()
        regional, _demand, page = self.builds(REGIONAL)
        assert regional == 1
        assert "Previous results" not in page and "Senegal" in page


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(CACHES=LOCAL_CACHE, TASKS=DATABASE_QUEUE)
class QueuedRegionalPageTests(TestCase):
    """With a worker, a regional dashboard that is not kept is computed by a job, not in the
    request (issue 18 item 4: seconds for 200 countries); the reader sees its progress."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.planner = make_user("queued_planner")
        give_role(cls.planner, Role.PLANNER)
        cls.kenyan = make_reviewer("KEN", "queued_kenyan_reviewer")

    def setUp(self) -> None:
        cache.clear()
        self.client.login(username=self.planner.username, password=PASSWORD)

    def view(self) -> tuple[int, str]:
        with mock.patch.object(
            regional_page, "regional_report_data", wraps=regional_page.regional_report_data
        ) as built:
            response = self.client.get(REGIONAL + "?region=Africa")
        assert response.status_code == 200
        return built.call_count, response.content.decode()

    def run_worker(self) -> None:
        # The worker closes "old" connections between tasks, as a request does; inside this
        # test's transaction that would close PostgreSQL's test connection (SQLite's in-memory
        # one survives it), so the test keeps it open.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("run_worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())

    def test_nothing_kept_queues_one_job_and_shows_its_progress_then_the_page(self) -> None:
        built, page = self.view()
        assert built == 0
        job = Job.objects.get(kind=plan_cache.PAGE_KIND)
        assert job.status == JobStatus.WAITING
        assert "This page is being computed with the latest scores." in page
        assert "The figures appear here as soon as they are computed." in page
        assert f'data-job-status-url="{reverse("background:job-status", args=[job.pk])}"' in page
        assert '<meta http-equiv="refresh"' in page
        assert "Senegal" not in page and "Previous results" not in page
        # The planner may follow it (the progress bar polls this).
        status = self.client.get(reverse("background:job-status", args=[job.pk])).json()
        assert status["active"] is True
        # A second reader joins the same job.
        assert self.view()[0] == 0
        assert Job.objects.filter(kind=plan_cache.PAGE_KIND).count() == 1
        self.run_worker()
        assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
        built, page = self.view()
        assert built == 0  # the worker computed it
        assert "Senegal" in page
        assert "being computed" not in page and '<meta http-equiv="refresh"' not in page

    def test_after_new_scores_the_previous_page_is_shown_while_the_job_computes(self) -> None:
        self.view()
        self.run_worker()
        before = self.view()[1]
        score_run_create(assessment=self.world["kenya"], trigger="on_demand", uncertainty=False)
        built, page = self.view()
        assert built == 0
        assert "Previous results" in page and "shown until the page is up to date." in page
        figures = slice(before.index('id="heat-heading"'), before.index("</main>"))
        assert before[figures] == page[page.index('id="heat-heading"') : page.index("</main>")]
        self.run_worker()
        assert "Previous results" not in self.view()[1]

    def test_a_reader_of_one_country_gets_the_page_computed_at_once(self) -> None:
        self.client.login(username=self.kenyan.username, password=PASSWORD)
        built, page = self.view()
        assert built == 1
        assert not Job.objects.filter(kind=plan_cache.PAGE_KIND).exists()
        assert "being computed" not in page

    def test_once_its_job_failed_the_page_is_computed_in_the_request(self) -> None:
        self.view()
        Job.objects.filter(kind=plan_cache.PAGE_KIND).update(status=JobStatus.FAILED)
        built, page = self.view()
        assert built == 1 and "Senegal" in page
        assert Job.objects.filter(kind=plan_cache.PAGE_KIND).count() == 1  # not queued again

    def test_a_done_job_whose_page_this_cache_lacks_leaves_it_computed_here(self) -> None:
        # A worker on another machine kept it in its own cache: not queued again forever.
        self.view()
        Job.objects.filter(kind=plan_cache.PAGE_KIND).update(status=JobStatus.DONE)
        built, page = self.view()
        assert built == 1 and "Senegal" in page and "being computed" not in page
        assert Job.objects.filter(kind=plan_cache.PAGE_KIND).count() == 1


class QueriesPerPageTests(TestCase):
    """Queries per page are bounded: the same with 20 countries as with 200 (no query per
    country), computed in the request (the test settings keep nothing between views)."""

    PAGES = (
        REGIONAL,
        DEMAND,
        reverse("planning:planner-home"),
    )

    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        cls.planner = make_user("count_planner")
        give_role(cls.planner, Role.PLANNER)
        cls.countries = list(Country.objects.order_by("alpha3")[:200])
        assert len(cls.countries) == 200

    def score(self, countries: list[Country]) -> None:
        for number, country in enumerate(countries):
            assessment = make_assessment(country.alpha3, state=AssessmentState.APPROVED)
            make_scores(
                assessment,
                {"GOV.1": 20.0 + number % 50, "NET.1": 40.0, "SKL.1": 10.0 + number % 30},
            )

    def queries(self) -> list[int]:
        self.client.login(username=self.planner.username, password=PASSWORD)
        counts = []
        for url in self.PAGES:
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(url)
            assert response.status_code == 200
            counts.append(len(captured))
        return counts

    def test_two_hundred_countries_take_as_many_queries_as_twenty(self) -> None:
        self.score(self.countries[:20])
        with_twenty = self.queries()
        self.score(self.countries[20:])
        with_two_hundred = self.queries()
        assert with_two_hundred == with_twenty, (with_twenty, with_two_hundred)
        page = self.client.get(DEMAND).content.decode()
        assert "200 countries with scores." in page
