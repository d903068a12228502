"""The audit trail's hash chain: appending under a lock, and verifying the whole trail.

Each event stores ``previous_hash`` (the hash of the event before it, in id order; empty for
the first) and ``chain_hash = HMAC-SHA256(key, previous_hash + "\\n" + content)``, where the
content is a canonical JSON text of the event's fields. Editing an event changes its content,
so its hash no longer matches; deleting one leaves its successor pointing at a hash that is no
longer the hash of the event before it; inserting one needs a hash made with the key, and
breaks the link of the event after it. The chain's head (``AuditChainHead``) records the last
event, so deleting the newest events shows too. This is the construction of Schneier and
Kelsey, "Secure audit logs to support computer forensics", ACM TISSEC 2(2), 1999 (a hash chain
of MACs), without their key evolution.

The key is ``settings.AUDIT_CHAIN_KEY`` (the ``SECRET_KEY`` unless set): a database owner who
does not know it can edit rows but cannot recompute a chain that verifies.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from surveys.models.audit import AuditChainHead, AuditEvent

HEAD_PK = 1
# The fields an event's hash covers. ``actor_id`` is left out on purpose: deleting an account
# clears it (on_delete=SET_NULL, the one update the PostgreSQL trigger allows); the actor's name
# at the time, ``actor_label``, is covered.
HASHED_FIELDS = (
    "assessment_id",
    "actor_label",
    "action",
    "object_type",
    "object_ref",
    "field",
    "old_value",
    "new_value",
    "created_at",
)


def _key() -> bytes:
    return (settings.AUDIT_CHAIN_KEY or settings.SECRET_KEY).encode("utf-8")


def _timestamp(value: datetime.datetime) -> str:
    # Both engines store microseconds; UTC text makes the value independent of TIME_ZONE.
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_content(values: dict[str, Any]) -> str:
    """The canonical text of an event's hashed fields (sorted keys, no spaces).

    >>> event_content({"assessment_id": 1, "actor_label": "é", "action": "submit",
    ...     "object_type": "assessment", "object_ref": "1", "field": "state",
    ...     "old_value": {"b": 1, "a": [2]}, "new_value": None,
    ...     "created_at": datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)})
    '{"action":"submit","actor_label":"é","assessment_id":1,"created_at":"2026-01-02T03:04:05.000006Z","field":"state","new_value":null,"object_ref":"1","object_type":"assessment","old_value":{"a":[2],"b":1}}'
    """
    content = {name: values[name] for name in HASHED_FIELDS}
    content["created_at"] = _timestamp(values["created_at"])
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(values: dict[str, Any], previous_hash: str) -> str:
    """HMAC-SHA256 (RFC 2104) over the previous hash and the event's canonical content."""
    message = f"{previous_hash}\n{event_content(values)}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _values(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _normalised(value: Any) -> Any:
    # What the database gives back: tuples become lists, and so on.
    return None if value is None else json.loads(json.dumps(value))


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        # The first event ever (or after the test runner emptied the tables). Two first writers
        # at once: the second INSERT waits for the first and then does nothing.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=HEAD_PK)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    return head


def chain_append(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Insert ``events`` at the end of the chain, in order, in one INSERT.

    The head row stays locked until the caller's transaction commits, so a second writer
    appends after these events, never beside them.
    """
    if not events:
        return []
    # No savepoint: the caller's transaction (services call this inside theirs) is the unit.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        previous = head.last_hash
        for event in events:
            event.old_value = _normalised(event.old_value)
            event.new_value = _normalised(event.new_value)
            event.previous_hash = previous
            event.chain_hash = previous = event_hash(_values(event), previous)
        created = AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=HEAD_PK).update(
            last_event_id=created[-1].pk, last_hash=previous
        )
    return created


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the chain does not hold, in words an auditor can act on."""

    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    events: int
    head_hash: str
    broken: list[BrokenLink]

    @property
    def intact(self) -> bool:
        return not self.broken


def chain_verify(*, batch_size: int = 2000) -> ChainReport:
    """Walk every event in id order and recompute the chain; report every broken link.

    Reads the rows with the ORM's values (no model logic), so it checks exactly what is stored.
    """
    fields = ("pk", "previous_hash", "chain_hash", *HASHED_FIELDS)
    rows = AuditEvent.objects.order_by("pk").values(*fields).iterator(chunk_size=batch_size)
    broken: list[BrokenLink] = []
    expected_previous, previous_id, count = "", None, 0
    for row in rows:
        count += 1
        if event_hash(row, row["previous_hash"]) != row["chain_hash"]:
            broken.append(
                BrokenLink(
                    row["pk"],
                    f"event #{row['pk']} does not match its hash: it was edited after it was "
                    "written, or inserted by someone without the chain key",
                )
            )
        elif row["previous_hash"] != expected_previous:
            after = f"event #{previous_id}" if previous_id is not None else "the start"
            broken.append(
                BrokenLink(
                    row["pk"],
                    f"event #{row['pk']} does not follow {after}: an event between them was "
                    f"deleted, or event #{row['pk']} was inserted or moved",
                )
            )
        expected_previous, previous_id = row["chain_hash"], row["pk"]
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    head_id, head_hash = (head.last_event_id, head.last_hash) if head else (None, "")
    if head is None and previous_id is not None:
        broken.append(BrokenLink(None, "the chain's head is missing: it was deleted"))
    elif (head_id, head_hash) != (previous_id, expected_previous):
        last = f"event #{previous_id}" if previous_id is not None else "no event"
        broken.append(
            BrokenLink(
                head_id,
                f"the chain ends at {last} but its head records event #{head_id}: "
                "the newest events were deleted, or the head was changed",
            )
        )
    return ChainReport(events=count, head_hash=expected_previous, broken=broken)
