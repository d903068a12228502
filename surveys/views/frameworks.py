"""The public framework pages: published questionnaires and their methodology, for any member."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from surveys import permissions
from surveys.extensions import framework_annex
from surveys.frameworks.presentation import framework_page
from surveys.frameworks.spec import translate
from surveys.models import Framework, FrameworkStatus


def _visible_frameworks(request: HttpRequest) -> QuerySet[Framework]:
    """Published and retired versions for everyone; drafts only for administrators."""
    frameworks = Framework.objects.all()
    if not (
        permissions.is_administrator(request.user) or permissions.can_use_admin_site(request.user)
    ):
        frameworks = frameworks.exclude(status=FrameworkStatus.DRAFT)
    return frameworks


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = (
        _visible_frameworks(request)
        .defer("definition")
        .annotate(question_count=Count("questions"))
        .order_by("code", "-published_at", "-version")
    )
    language = get_language() or "en"
    rows = [(framework, translate(framework.title, language)) for framework in frameworks]
    return render(request, "surveys/framework_list.html", {"rows": rows})


@login_required
@require_GET
def framework_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = get_object_or_404(_visible_frameworks(request), code=code, version=version)
    language = get_language() or "en"
    page = framework_page(framework.spec, language)
    annex = framework_annex(framework.spec, language)
    return render(
        request,
        "surveys/framework_detail.html",
        {"framework": framework, "page": page, "annex": annex},
    )
