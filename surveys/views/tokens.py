"""The user's own API tokens: create one (its key is shown once), list them, revoke one."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from surveys import permissions
from surveys.models import ApiToken, TokenScope
from surveys.services.tokens import api_token_create, api_token_revoke

LIFETIMES = (7, 30, 90, 180, 365)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “statistics office script”."),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Access"), choices=TokenScope.choices)
    lifetime_days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"), coerce=int, initial=90, choices=()
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lifetime_days"].choices = [
            (days, _("%(days)s days") % {"days": days})
            for days in LIFETIMES
            if days <= settings.API_TOKEN_MAX_DAYS
        ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, new_key = api_token_create(user=request.user, **form.cleaned_data)
            form = ApiTokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "new_key": new_key}
    return render(request, "surveys/api_tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = permissions.get_api_token_for_user(request, pk)
    if api_token_revoke(token=token, actor=request.user):
        messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("surveys:api-tokens")
