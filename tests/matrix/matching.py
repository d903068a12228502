"""Matching pages (issue 22): planners and administrators only; everyone else signed in gets 403."""

from tests.matrix import Entry, World
from tests.matrix.api import planners_only
from tests.matrix.planning import PLANNERS_ONLY


def setup_world(world: World) -> None:
    from surveys.models import AssessmentState
    from tests.factories import make_assessment
    from tests.planning.helpers import make_scores
    from tests.planning.offer_helpers import KENYA, load_offers

    load_offers()
    # An approved, scored assessment of a third country (nobody holds a role for it), so that
    # the API has a plan to answer with.
    make_scores(make_assessment("NGA", state=AssessmentState.APPROVED, round=2031), KENYA)


ENTRIES = [
    Entry("planning:matching-plan", PLANNERS_ONLY),
    Entry("planning:matching-gaps", PLANNERS_ONLY),
    Entry("planning:provider-detail", PLANNERS_ONLY, kwargs=lambda world: {"code": "P-AFR"}),
    Entry("api-matching-plan", planners_only()),
    Entry("api-matching-provider", planners_only(), kwargs=lambda world: {"code": "P-AFR"}),
]
