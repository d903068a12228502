"""The reader's choice of framework language, for frameworks in languages the interface lacks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from surveys import permissions
from surveys.framework_languages import (
    COOKIE_NAME,
    extra_languages,
    interface_language_for,
    language_name,
)
from surveys.models import Framework

ONE_YEAR = 365 * 24 * 3600


class FrameworkLanguageForm(forms.Form):
    """ "" (the interface's language) or one of the framework's languages the interface lacks."""

    language = forms.ChoiceField(required=False)

    def __init__(self, *args: object, framework: Framework, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["language"].choices = framework_language_choices(framework)


def framework_language_choices(framework: Framework) -> list[tuple[str, str]]:
    """The choices of the framework-language form; one only when the framework needs none."""
    return [("", _("Same as the interface"))] + [
        (code, language_name(code)) for code in extra_languages(framework.languages)
    ]


@login_required
@require_POST
def framework_language_set(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request, pk)
    form = FrameworkLanguageForm(request.POST, framework=assessment.framework)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("surveys:assessment-detail", args=[assessment.pk])
    response = redirect(target)
    code = form.cleaned_data["language"]
    if not code:
        response.delete_cookie(COOKIE_NAME)
        return response
    response.set_cookie(
        COOKIE_NAME, code, max_age=ONE_YEAR, samesite="Lax", secure=request.is_secure()
    )
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # A reader who never chose an interface language gets the closest one to the framework's.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            interface_language_for(code),
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
