"""The people of the load scenario, created in the run's fresh database.

Run inside Django by ``stack.platform`` (``manage.py shell``): :func:`write` creates what the
locust users need and writes it to a JSON file the locustfile reads.

- focal points: one account per simulated focal point, each with a draft 2026 assessment of a
  country of its own (pre-filled like the demo's), so that concurrent saves meet no revision
  conflicts that real focal points of different countries would not meet either;
- reviewers: the demo's reviewers, with the assessments of their country;
- planners: the demo's planner, with the countries that have scores;
- API clients: one account per simulated client (the API throttles per user), planner role,
  a read-only token each.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from demo.loader import DEMO_PASSWORD, demo_framework, generated_answers
from scoring.models import ScoreRun
from surveys.models import Assessment, Country, Role, RoleAssignment
from surveys.services.answers import answers_save, framework_spec
from surveys.services.rounds import assessment_create
from surveys.services.tokens import api_token_create


def _focal_points(count: int, password: str) -> list[dict[str, Any]]:
    framework = demo_framework()
    spec = framework_spec(framework)
    steps = [pillar.code for pillar in spec.pillars]
    taken = set(Assessment.objects.values_list("country_id", flat=True))
    countries = Country.objects.exclude(pk__in=taken).order_by("alpha3")[:count]
    User = get_user_model()
    # One hash for every account: Argon2 takes most of a second, 50 times would add a minute.
    encoded = make_password(password)
    accounts = []
    for country in countries:
        with transaction.atomic():
            user = User.objects.create_user(
                f"load.focal.{country.alpha3.lower()}",
                email=f"load.focal.{country.alpha3.lower()}@load.invalid",
            )
            user.password = encoded
            user.save(update_fields=["password"])
            RoleAssignment.objects.create(user=user, role=Role.FOCAL_POINT, country=country)
            assessment = assessment_create(
                country=country, framework=framework, round=2026, actor=user
            )
            answers_save(
                assessment=assessment,
                actor=user,
                answers=generated_answers(spec, country.alpha3, 0.5, 2026, 0.8),
                base_revision=assessment.revision,
            )
        accounts.append(
            {
                "username": user.get_username(),
                "password": password,
                "assessment": assessment.pk,
                "steps": steps,
            }
        )
    return accounts


def _reviewers() -> list[dict[str, Any]]:
    reviewers = []
    assignments = RoleAssignment.objects.filter(role=Role.REVIEWER).select_related("user")
    for assignment in assignments.order_by("user__username"):
        pks = list(
            Assessment.objects.filter(country=assignment.country_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if pks:
            reviewers.append(
                {
                    "username": assignment.user.get_username(),
                    "password": DEMO_PASSWORD,
                    "assessments": pks,
                }
            )
    return reviewers


def _api_clients(count: int) -> list[dict[str, Any]]:
    User = get_user_model()
    clients = []
    for n in range(count):
        user = User.objects.create_user(f"load.api.{n}", email=f"load.api.{n}@load.invalid")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        RoleAssignment.objects.create(user=user, role=Role.PLANNER)
        _, key = api_token_create(user=user, name="load scenario", scope="read", lifetime_days=1)
        clients.append({"username": user.get_username(), "token": key})
    return clients


def write(path: str, users: int) -> None:
    """Create accounts for up to ``users`` simulated people of each kind; write them to ``path``."""
    scored = sorted(
        set(
            ScoreRun.objects.filter(kind="single").values_list(
                "assessment__country__alpha3", flat=True
            )
        )
        - {None}
    )
    scenario = {
        "focal_points": _focal_points(users, secrets.token_urlsafe(16)),
        "reviewers": _reviewers(),
        "planners": [{"username": "planner", "password": DEMO_PASSWORD, "countries": scored}],
        "api_clients": _api_clients(users),
        "assessments": list(Assessment.objects.order_by("pk").values_list("pk", flat=True)),
    }
    Path(path).write_text(json.dumps(scenario, indent=1), encoding="utf-8")
