"""Recording audit events. Services call these inside their own transaction.

Events are appended to a hash chain (``surveys.audit_chain``) that ``manage.py verify_audit``
checks; nothing else writes ``AuditEvent`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from surveys.audit_chain import chain_append
from surveys.models.audit import AuditEvent


@dataclass(frozen=True)
class Change:
    """One changed field of one object."""

    object_type: str
    object_ref: str
    field: str
    old_value: Any
    new_value: Any
    action: str = "update"


def audit_record(
    *,
    assessment: Any,
    actor: AbstractBaseUser | None,
    changes: Iterable[Change],
    actor_label: str = "",
) -> list[AuditEvent]:
    """Append one audit event per change to the chain, in one INSERT."""
    label = actor_label or (actor.get_username() if actor is not None else "")
    events = [
        AuditEvent(
            assessment=assessment,
            actor=actor,
            actor_label=label,
            action=change.action,
            object_type=change.object_type,
            object_ref=change.object_ref,
            field=change.field,
            old_value=change.old_value,
            new_value=change.new_value,
        )
        for change in changes
    ]
    return chain_append(events)
