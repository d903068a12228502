"""A new invitation's personal link is shown once, with a copy button, on the address the focal
point is using (or SITE_URL when it is set), and it is the link that was e-mailed."""

from __future__ import annotations

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from surveys.links import DEVELOPMENT_SITE_URL, site_url
from surveys.models import StakeholderInvitation
from tests.factories import make_assessment, make_focal_point

INVITATION = {
    "name": "Moussa Ba",
    "email": "moussa@example.org",
    "organisation_type": "academia",
    "pillars": ["GOV"],
    "language": "fr",
    "valid_days": "14",
}


class InvitationLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.assessment = make_assessment("SEN")

    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.url = reverse("surveys:stakeholder-list", args=[self.assessment.pk])

    def _invite(self, **extra: str) -> object:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, INVITATION, **extra)

    @override_settings(SITE_URL="", ALLOWED_HOSTS=["assess.test"])
    def test_the_link_is_built_on_the_host_and_port_of_the_request_and_shown_once(self) -> None:
        response = self._invite(HTTP_HOST="assess.test:8102")
        assert response.status_code == 200
        link = response.context["created"].link
        assert link.startswith("http://assess.test:8102/s/")
        html = response.content.decode()
        assert f'value="{link}" readonly' in html
        assert 'data-copy="invitation-link"' in html
        assert link in mail.outbox[0].body
        # The token is kept only as a hash: the page cannot show the link again.
        token = link.rsplit("/s/", 1)[1].strip("/")
        assert token not in self.client.get(self.url, HTTP_HOST="assess.test:8102").content.decode()
        assert not StakeholderInvitation.objects.filter(token_hash=token).exists()

    @override_settings(SITE_URL="https://assess.example.org")
    def test_site_url_wins_when_it_is_set(self) -> None:
        response = self._invite()
        assert response.context["created"].link.startswith("https://assess.example.org/s/")

    @override_settings(SITE_URL="")
    def test_commands_without_a_request_fall_back_to_the_development_server(self) -> None:
        assert site_url() == DEVELOPMENT_SITE_URL

    def test_a_refused_invitation_keeps_what_was_typed_and_shows_no_link(self) -> None:
        response = self._invite_without_pillars()
        assert response.status_code == 400
        assert response.context["created"] is None
        assert 'value="Moussa Ba"' in response.content.decode()

    def _invite_without_pillars(self) -> object:
        data = {key: value for key, value in INVITATION.items() if key != "pillars"}
        return self.client.post(self.url, data)
