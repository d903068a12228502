"""Planner pages: planners and administrators only; everyone else signed in gets 403."""

from tests.matrix import ADMINISTRATOR, ANONYMOUS, EVERYONE, LOGIN, PLANNER, Entry

PLANNERS_ONLY = {
    **dict.fromkeys(EVERYONE, 403),
    ANONYMOUS: LOGIN,
    PLANNER: 200,
    ADMINISTRATOR: 200,
}

ENTRIES = [
    Entry("planning:planner-home", PLANNERS_ONLY),
    Entry("planning:planner-country", PLANNERS_ONLY, kwargs=lambda world: {"alpha3": "SEN"}),
    Entry("planning:planner-demand", PLANNERS_ONLY),
    Entry("planning:catalogue", PLANNERS_ONLY),
]
