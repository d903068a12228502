"""An offer catalogue for the small test framework (GOV, NET, SKL pillars) and scored rounds."""

from __future__ import annotations

from planning.offers import offers_load, read_offers_text
from surveys.models import AssessmentState
from tests.factories import make_assessment, make_framework
from tests.planning.helpers import make_scores

OFFERS_YAML = """
format: offer-catalogue/1
framework: test_framework
sample: true
providers:
  - code: P-AFR
    name: "[Sample] Dakar institute (invented)"
    kind: centre_of_excellence
    country: SEN
    languages: [fr]
  - code: P-EUR
    name: "[Sample] Online school (invented)"
    kind: private
    region: Europe
    languages: [en, fr]
offers:
  - code: O-GOV-FR
    provider: P-AFR
    title: {en: "Governance in French", fr: "Gouvernance en français"}
    topics: [GOV]
    mode: online
    languages: [fr]
    seats: 60
    cost: 10
    duration_days: 5
    level: introductory
  - code: O-GOV-EN
    provider: P-EUR
    title: {en: "Strategy course"}
    topics: [GOV.1]
    mode: online
    languages: [en, fr]
    seats: 100
    cost: 20
    duration_days: 3
    level: intermediate
demand_rules:
  - country: SEN
    languages: {fr: 1}
"""

# Gaps (target 100): Senegal GOV.1 80 and SKL.1 40 (in French, its rule); Kenya GOV.1 50 (in
# English, the default rule). France is a draft, so it is no demand.
SENEGAL = {"GOV.1": 20.0, "GOV.2": 100.0, "NET.1": 100.0, "NET.2": 100.0, "SKL.1": 60.0}
KENYA = {"GOV.1": 50.0, "GOV.2": 100.0, "NET.1": 100.0, "NET.2": 100.0, "SKL.1": 100.0}
FRANCE = {"GOV.1": 0.0, "GOV.2": 0.0, "NET.1": 0.0, "NET.2": 0.0, "SKL.1": 0.0}


def load_offers(text: str = OFFERS_YAML) -> None:
    make_framework()
    offers_load(catalogue=read_offers_text(text, csv_format=False))


def make_round() -> None:
    for code, scores, state in (
        ("SEN", SENEGAL, AssessmentState.APPROVED),
        ("KEN", KENYA, AssessmentState.APPROVED),
        ("FRA", FRANCE, AssessmentState.DRAFT),
    ):
        make_scores(make_assessment(code, state=state), scores)
