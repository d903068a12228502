"""The history page shows old → new values in words, in the user's language (issue 14, 10)."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import OrganisationType
from surveys.services.answers import AnswerInput, answers_save
from surveys.services.stakeholders import stakeholder_answers_save, stakeholder_invite
from tests.review.support import ReviewTestCase


class HistoryWordsTests(ReviewTestCase):
    def test_answers_and_stakeholder_answers_read_as_words_not_python(self) -> None:
        answers_save(
            assessment=self.draft,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 1), AnswerInput("NET.1.a", 12.5)],
            base_revision=0,
        )
        answers_save(
            assessment=self.draft,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 3), AnswerInput("NET.1.a", None, "dont_know")],
            base_revision=1,
        )
        new = stakeholder_invite(
            assessment=self.draft,
            actor=self.alice,
            name="Aminata",
            email="aminata@example.org",
            organisation_type=OrganisationType.REGULATOR,
            pillars=["GOV"],
            send=False,
        )
        stakeholder_answers_save(
            invitation=new.invitation,
            answers=[AnswerInput("GOV.1.a", 4, "answered", "Plan 2024")],
        )
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = "fr"
        page = self.client.get(reverse("surveys:history", args=[self.draft.pk])).content.decode()
        assert "Niveau 1" in page and "Niveau 3" in page
        assert "12,5 %" in page
        assert "Ne sait pas" in page
        assert "Niveau 4" in page and "justification : Plan 2024" in page
        assert "Nom : Aminata" in page and "Type d&#x27;organisation : Régulateur" in page
        for python in ("{&#x27;", "&#x27;value&#x27;", "None", "[&#x27;"):
            assert python not in page, python
