"""A django-formtools storage that keeps the wizard's envelope in the database, per assessment.

Session storage dies with logout or expiry and is shared by every assessment a user opens;
this storage is keyed by the assessment, survives devices and sessions, and is read ONCE when
the request starts and written ONCE when the response is ready (``update_response``), as
formtools expects of a storage whose ``data`` is a plain attribute (django-formtools PR #289:
a property that re-reads the database on every access silently never persists).

The envelope is UI state only: what was typed but could not be saved yet (invalid values),
the revision each step's draft was based on, and the current step. Answers live in ``Answer``.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from formtools.wizard.storage.base import BaseStorage

from surveys.models import Assessment, WizardDraft

REVISIONS_KEY = "revisions"


class DatabaseWizardStorage(BaseStorage):
    """Wizard storage in ``WizardDraft``, one row per assessment."""

    def __init__(
        self,
        prefix: str,
        request: HttpRequest | None = None,
        file_storage: Any = None,
        *,
        assessment: Assessment,
    ) -> None:
        super().__init__(prefix, request, file_storage)
        self.assessment = assessment
        row = WizardDraft.objects.filter(assessment=assessment).only("data").first()
        self.exists = row is not None
        stored = row.data.get(self.prefix) if row is not None else None
        if isinstance(stored, dict) and self.step_data_key in stored:
            self.data = stored
        else:
            self.init_data()
        self._loaded = copy.deepcopy(self.data)
        self._touched_steps: set[str] = set()
        self._remember_step = False

    def set_step_data(self, step: str, cleaned_data: Any) -> None:
        super().set_step_data(step, cleaned_data)
        self._touched_steps.add(step)

    def reset(self) -> None:
        self._touched_steps.update(self.data.get(self.step_data_key, {}))
        super().reset()

    def update_response(self, response: HttpResponse) -> None:
        super().update_response(response)
        self.save()

    def step_revision(self, step: str) -> int | None:
        return self.data[self.extra_data_key].get(REVISIONS_KEY, {}).get(step)

    def set_step_draft(self, step: str, raw: dict[str, list[str]] | None, revision: int) -> None:
        """Keep ``raw`` (what was typed) for ``step``, or forget it when everything was saved."""
        if raw:
            self.set_step_data(step, raw)
            self.data[self.extra_data_key].setdefault(REVISIONS_KEY, {})[step] = revision
        else:
            self.data[self.step_data_key].pop(step, None)
            self.data[self.extra_data_key].get(REVISIONS_KEY, {}).pop(step, None)
            self._touched_steps.add(step)

    def remember_step(self, step: str) -> None:
        """Make ``step`` the one to resume at; plain page views set the step without saving it."""
        self.current_step = step
        self._remember_step = True

    @property
    def modified(self) -> bool:
        def content(data: dict[str, Any]) -> tuple[Any, Any]:
            return data[self.step_data_key], data[self.extra_data_key]

        step_changed = self._remember_step and self.data[self.step_key] != self._loaded.get(
            self.step_key
        )
        return step_changed or content(self.data) != content(self._loaded)

    def save(self) -> None:
        """Write the envelope if it changed, merging only the steps this request touched.

        Co-editors share the row; merging per step keeps one person's unsaved draft of another
        step from being replaced by a stale copy.
        """
        if not self.modified:
            return
        user = getattr(self.request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with transaction.atomic():
            row, _ = WizardDraft.objects.select_for_update().get_or_create(
                assessment=self.assessment
            )
            envelope = row.data.get(self.prefix)
            if not isinstance(envelope, dict) or self.step_data_key not in envelope:
                envelope = copy.deepcopy(self.data)
            else:
                if self._remember_step:
                    envelope[self.step_key] = self.data[self.step_key]
                revisions = envelope.setdefault(self.extra_data_key, {}).setdefault(
                    REVISIONS_KEY, {}
                )
                ours = self.data[self.extra_data_key].get(REVISIONS_KEY, {})
                for step in self._touched_steps:
                    if step in self.data[self.step_data_key]:
                        envelope[self.step_data_key][step] = self.data[self.step_data_key][step]
                        revisions[step] = ours.get(step, 0)
                    else:
                        envelope[self.step_data_key].pop(step, None)
                        revisions.pop(step, None)
            row.data = {**row.data, self.prefix: envelope}
            row.updated_by = actor
            row.save(update_fields=["data", "updated_by", "updated_at"])
        self._loaded = copy.deepcopy(self.data)
        self._touched_steps.clear()
