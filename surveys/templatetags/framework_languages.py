"""``{% framework_language_form assessment %}``: choose the language of the framework's texts.

Rendered only when the assessment's framework declares languages the interface lacks.
"""

from __future__ import annotations

from typing import Any

from django import template

from surveys.framework_languages import extra_languages
from surveys.views.languages import framework_language_choices

register = template.Library()


@register.inclusion_tag("surveys/_framework_language.html", takes_context=True)
def framework_language_form(context: dict[str, Any], assessment: Any) -> dict[str, Any]:
    request = context.get("request")
    framework = assessment.framework
    if not extra_languages(framework.languages):
        return {"shown": False}
    return {
        "shown": True,
        "assessment": assessment,
        "choices": framework_language_choices(framework),
        "current": getattr(request, "framework_language", ""),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
