"""Matching pages (issue 22): planners and administrators only; everyone else signed in gets 403."""

from tests.matrix import Entry, World
from tests.matrix.planning import PLANNERS_ONLY


def setup_world(world: World) -> None:
    from tests.planning.offer_helpers import load_offers

    load_offers()


ENTRIES = [
    Entry("planning:matching-plan", PLANNERS_ONLY),
    Entry("planning:matching-gaps", PLANNERS_ONLY),
    Entry("planning:provider-detail", PLANNERS_ONLY, kwargs=lambda world: {"code": "P-AFR"}),
]
