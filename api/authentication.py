"""Token authentication for the API against hashed, expiring, scoped tokens.

Clients send ``Authorization: Token <key>`` as before; the key is hashed and looked up
(:mod:`surveys.services.tokens`). A revoked or expired token, or one whose user is inactive,
is refused with 401. A read-only token used for anything but GET, HEAD or OPTIONS is refused
with 403 here, before any view runs, so no view can forget the check.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from surveys.models import ApiToken
from surveys.services.tokens import api_token_find

# last_used_at is a hint for the owner, not an audit record: writing it at most once a minute
# keeps a busy client from turning every read into a write.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        result = super().authenticate(request)
        if result is not None and request.method not in SAFE_METHODS and not result[1].can_write:
            raise exceptions.PermissionDenied(
                "This token is read-only; create a read-and-write token to change data."
            )
        return result

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = api_token_find(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
