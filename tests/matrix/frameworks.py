"""Framework pages: any signed-in member may read published frameworks."""

from tests.matrix import ADMINISTRATOR, ANONYMOUS, LOGIN, SIGNED_IN, Entry, same_for

ENTRIES = [
    Entry("surveys:framework-list", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry(
        "surveys:framework-detail",
        {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)},
        kwargs=lambda world: {
            "code": world.assessment.framework.code,
            "version": world.assessment.framework.version,
        },
    ),
]

# A framework as an XLSForm, for any member who may read the framework (issue 20).
ENTRIES += [
    Entry(
        "exchange:framework-xlsform",
        {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)},
        kwargs=lambda world: {
            "code": world.assessment.framework.code,
            "version": world.assessment.framework.version,
        },
    ),
]

# Importing an XLSForm as a framework draft: administrators only (issue 20).
ENTRIES += [
    Entry(
        "exchange:xlsform-import",
        {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 403), ADMINISTRATOR: 200},
    ),
]
