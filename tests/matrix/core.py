from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    EVERYONE,
    FOCAL_POINT,
    LOGIN,
    NO_ROLE,
    PLANNER,
    REVIEWER,
    SIGNED_IN,
    STRANGER_FOCAL_POINT,
    STRANGER_REVIEWER,
    Entry,
    same_for,
)

ENTRIES = [
    Entry("home", same_for(EVERYONE, 200)),
    Entry("healthz", same_for(EVERYONE, 200)),
    Entry("login", same_for(EVERYONE, 200)),
    Entry("logout", same_for(EVERYONE, 302), method="post"),
    Entry(
        "set_language", same_for(EVERYONE, 302), method="post", data=lambda w: {"language": "fr"}
    ),
    Entry("password_change", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry("password_change_done", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    # Password reset by e-mail is for everybody; a bad link shows "this link no longer works".
    Entry("password_reset", same_for(EVERYONE, 200)),
    Entry("password_reset_done", same_for(EVERYONE, 200)),
    Entry(
        "password_reset_confirm",
        same_for(EVERYONE, 200),
        kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
    ),
    Entry("password_reset_complete", same_for(EVERYONE, 200)),
    # Two-factor sign-in: anybody signed in may enrol; nobody in the matrix has enrolled, so
    # the verification page sends them on.
    Entry("two-factor-setup", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    Entry("two-factor-verify", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 302)}),
    Entry("signed-in", {ANONYMOUS: LOGIN, **same_for(SIGNED_IN, 200)}),
    # The admin site has its own staff check: only the administrator is staff.
    Entry(
        "admin:index",
        {
            ANONYMOUS: 302,
            FOCAL_POINT: 302,
            REVIEWER: 302,
            PLANNER: 302,
            NO_ROLE: 302,
            STRANGER_FOCAL_POINT: 302,
            STRANGER_REVIEWER: 302,
            ADMINISTRATOR: 200,
        },
    ),
]
