from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from surveys import permissions

# (url name, label, who sees it). Entries whose URL does not exist are skipped, so each area
# appears in the menu as soon as its pages are routed.
NAVIGATION = [
    ("surveys:assessment-list", _("Assessments"), "member"),
    ("surveys:work-queue", _("Work queue"), "member"),
    ("surveys:framework-list", _("Frameworks"), "member"),
    ("planning:planner-home", _("Planning"), "planner"),
    ("reports:regional-dashboard", _("Dashboards"), "member"),
    ("exchange:export", _("Exports"), "member"),
    ("exchange:statistics-import", _("Import statistics"), "admin_role"),
    ("api-docs", _("API"), "member"),
    ("admin:index", _("Administration"), "admin"),
]


def platform(request: HttpRequest) -> dict[str, object]:
    """Navigation every page needs: the areas the user may open."""
    user = request.user
    audience = {"member": user.is_authenticated}
    audience["planner"] = permissions.can_plan(user)
    audience["admin_role"] = permissions.is_administrator(user)
    audience["admin"] = audience["admin_role"] or permissions.can_use_admin_site(user)
    items = []
    for url_name, label, who in NAVIGATION:
        if not audience[who]:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"url": url, "label": label, "current": request.path.startswith(url) and url != "/"}
        )
    return {"nav_items": items}
