"""A small framework for tests, loaded through the same path as real frameworks."""

from __future__ import annotations

from typing import Any

from surveys.models import Framework, FrameworkStatus


def load_test_framework(**overrides: Any) -> Framework:
    fields: dict[str, Any] = {
        "code": "test-framework",
        "version": "1.0",
        "title": {"en": "Test framework", "fr": "Cadre de test"},
        "languages": ["en", "fr"],
        "status": FrameworkStatus.PUBLISHED,
    }
    fields.update(overrides)
    framework, _ = Framework.objects.get_or_create(
        code=fields.pop("code"), version=fields.pop("version"), defaults=fields
    )
    return framework
