"""Agreement across questions on different scales (issue 17, item 9).

Pooling a 6-level maturity question and a yes/partial/no question as one ordinal variable
compares codes that mean different things. Alpha is computed per scale and combined.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from scoring.engine.agreement import krippendorff_alpha, pooled_krippendorff_alpha
from scoring.models import RunTrigger
from scoring.services import score_run_create
from surveys.models.survey import StakeholderAnswer, StakeholderInvitation
from tests.factories import PASSWORD, make_assessment, make_reviewer
from tests.scoring.helpers import FULL_ANSWERS, add_answers


def test_one_scale_is_plain_krippendorff_alpha() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        data = rng.integers(1, 6, size=(4, 7)).astype(float)
        data[rng.random(data.shape) < 0.2] = np.nan
        plain = krippendorff_alpha(data)
        pooled = pooled_krippendorff_alpha(data, ["one"] * 7)
        assert (np.isnan(plain) and np.isnan(pooled)) or plain == pytest.approx(pooled, abs=1e-12)


def test_codes_of_different_scales_are_not_compared_with_each_other() -> None:
    # Raters agree perfectly within each scale, but the 3-point codes (1..3) and the 6-point
    # codes (4..6) sit at different places: pooled as one scale, chance disagreement is
    # inflated by comparing a "yes" with a maturity level.
    three = [[1, 3, 2], [1, 3, 2]]
    six = [[4, 6, 5], [4, 6, 5]]
    data = np.hstack([three, six]).astype(float)
    scales = ["yes/partial/no"] * 3 + ["maturity 0-5"] * 3
    assert pooled_krippendorff_alpha(data, scales) == 1.0
    # One disagreement on the 6-point scale lowers only that scale's share.
    data[1, 5] = 6.0
    by_scale = pooled_krippendorff_alpha(data, scales)
    assert krippendorff_alpha(data[:, 3:]) < by_scale < 1.0


def test_one_question_per_scale_leaves_alpha_undefined() -> None:
    data = np.array([[4, 1], [4, 3], [5, 3], [4, 3], [3, 3]], dtype=float)
    assert np.isnan(pooled_krippendorff_alpha(data, ["maturity", "yes/partial/no"]))


class ScorePageAgreementNoteTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        for index in range(5):
            invitation = StakeholderInvitation.objects.create(
                assessment=cls.assessment,
                name=f"Stakeholder {index}",
                email=f"s{index}@example.org",
                organisation_type="ministry",
                pillars=["GOV"],
                token_hash=f"{index:064d}",
                expires_at=timezone.now() + dt.timedelta(days=7),
            )
            # Split answers on GOV.1.b: low agreement, so the question is flagged.
            StakeholderAnswer.objects.create(
                invitation=invitation, question_code="GOV.1.b", value="yes" if index % 2 else "no"
            )
        score_run_create(assessment=cls.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        cls.reviewer = make_reviewer("SEN")

    def test_the_page_says_how_agreement_treats_scales(self) -> None:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        url = reverse("scoring:assessment-scores", kwargs={"pk": self.assessment.pk})
        page = self.client.get(url).content.decode()
        assert "Questions on which stakeholders disagree" in page
        assert "levels count as equally spaced" in page
        french = self.client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "comptent comme également espacés" in french
