"""API tokens: creating (the only moment the full key exists), finding and revoking them."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from surveys.audit import Change, audit_record
from surveys.models import ApiToken, TokenScope

__all__ = ["api_token_create", "api_token_find", "api_token_revoke", "token_hash"]

PREFIX_LENGTH = 8


def token_hash(key: str) -> str:
    """The stored form of a key (hex SHA-256)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_token_create(
    *, user: AbstractBaseUser, name: str, scope: str, lifetime_days: int
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its full key, which is never stored.

    Raises ``ValueError`` for a lifetime outside 1..``API_TOKEN_MAX_DAYS`` or an unknown scope.
    """
    if not 1 <= lifetime_days <= settings.API_TOKEN_MAX_DAYS:
        raise ValueError(f"lifetime must be 1 to {settings.API_TOKEN_MAX_DAYS} days")
    if scope not in TokenScope.values:
        raise ValueError(f"unknown scope {scope!r}")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            key_hash=token_hash(key),
            scope=scope,
            expires_at=timezone.now() + datetime.timedelta(days=lifetime_days),
        )
        audit_record(
            assessment=None,
            actor=user,
            changes=[
                Change("api_token", token.prefix, "scope", None, scope, action="token_created")
            ],
        )
    return token, key


def api_token_find(key: str) -> ApiToken | None:
    """The token a request presents, if it exists (active or not)."""
    return ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()


def api_token_revoke(*, token: ApiToken, actor: AbstractBaseUser) -> bool:
    """Revoke ``token`` now; False when it was already revoked (nothing changes then)."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            audit_record(
                assessment=None,
                actor=actor,
                changes=[
                    Change("api_token", token.prefix, "revoked", None, True, action="token_revoked")
                ],
            )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(changed)
