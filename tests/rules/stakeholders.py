"""Stakeholder rules: once an assessment is approved its stakeholder links are closed, and no
new invitation is made or e-mailed for it (surveys.services.stakeholders).

Before, an invitation on an approved assessment was accepted and e-mailed with a link that was
already closed.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from surveys.models import StakeholderAnswer, StakeholderInvitation
from surveys.services.answers import AnswerInput
from surveys.services.stakeholders import (
    InvitationError,
    InvitationUnusable,
    _token_hash,
    stakeholder_answers_save,
    stakeholder_invite,
)
from tests.rules import Rule, World
from tests.rules.support import api_client

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-personal-link-token-that-is-long-enough-0123456789"


def _invitation(
    world: World, assessment: object, token: str = TOKEN, email: str = "awa@example.org"
) -> StakeholderInvitation:
    # Made directly: on the approved assessment the service (rightly) refuses to make one.
    return StakeholderInvitation.objects.create(
        assessment=assessment,
        name="Awa Diop",
        email=email,
        organisation_type="regulator",
        pillars=["GOV"],
        language="en",
        token_hash=_token_hash(token),
        invited_by=world.focal_point,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )


def _page(world: World) -> None:
    client = world.client(world.focal_point)
    url = reverse("surveys:stakeholder-list", kwargs={"pk": world.approved.pk})
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Moussa Ba",
                "email": "moussa@example.org",
                "organisation_type": "academia",
                "pillars": ["GOV"],
                "language": "en",
                "valid_days": "14",
            },
        )
    assert response.status_code == 400
    assert "stakeholder links are closed" in response.content.decode()
    assert not StakeholderInvitation.objects.filter(assessment=world.approved).exists()
    assert mail.outbox == []
    _invitation(world, world.approved)
    respond = reverse("surveys:stakeholder-respond", kwargs={"token": TOKEN})
    assert "GOV.1.a" not in world.client(None).get(respond).content.decode()


def _autosave(world: World) -> None:
    # A stakeholder's saves (the link's page) go through stakeholder_answers_save.
    invitation = _invitation(world, world.approved)
    with pytest.raises(InvitationUnusable, match="closed"):
        stakeholder_answers_save(invitation=invitation, answers=[AnswerInput("GOV.1.a", 1)])
    respond = reverse("surveys:stakeholder-respond", kwargs={"token": TOKEN})
    world.client(None).post(respond, {"GOV.1.a": "1", "GOV.1.a-status": "answered"})
    assert not StakeholderAnswer.objects.exists()


def _api_routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            routes += _api_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def _api(world: World) -> None:
    routes = [route for route in _api_routes(get_resolver()) if route.startswith("api/")]
    assert routes and not [route for route in routes if "stakeholder" in route]
    url = f"/api/assessments/{world.approved.pk}/stakeholders/"
    response = api_client(world.focal_point).post(url, {"name": "X"}, format="json")
    assert response.status_code == 404


def _import(world: World) -> None:
    # Invitations are made in one place only: imports (or anything else) cannot bypass it.
    makers = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and "StakeholderInvitation.objects.create" in path.read_text()
    ]
    assert makers == ["surveys/services/stakeholders.py"]
    with pytest.raises(InvitationError, match="closed"):
        stakeholder_invite(
            assessment=world.approved,
            actor=world.focal_point,
            name="Moussa Ba",
            email="moussa@example.org",
            organisation_type="academia",
            pillars=["GOV"],
        )
    assert not StakeholderInvitation.objects.exists()


def _admin(world: World) -> None:
    assert not admin.site.is_registered(StakeholderInvitation)
    assert not admin.site.is_registered(StakeholderAnswer)


def _command(world: World) -> None:
    closed = _invitation(world, world.approved, email="closed@example.org")
    open_ = _invitation(world, world.draft, token=TOKEN + "-open", email="open@example.org")
    StakeholderInvitation.objects.filter(pk__in=[closed.pk, open_.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_stakeholder_reminders", "--days", "7")
    # The draft's stakeholder is reminded (the command works); the approved one's is not.
    assert [message.to for message in mail.outbox] == [["open@example.org"]]


RULES = [
    Rule(
        "stakeholder_links_close_on_approval",
        "No stakeholder invitation is made, e-mailed, reminded or answered for an approved "
        "assessment (surveys.services.stakeholders).",
        {
            "page": _page,
            "autosave": _autosave,
            "api": _api,
            "import": _import,
            "admin": _admin,
            "command": _command,
        },
    )
]
