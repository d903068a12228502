"""Framework questions linked to official indicators (the ``official:`` key of a question)."""

from __future__ import annotations

from collections.abc import Iterable

from officialstats.files import LinkedUnit

__all__ = ["linked_units"]


def linked_units(specs: Iterable[object]) -> dict[tuple[str, str], list[LinkedUnit]]:
    """``(source, indicator)`` → the questions of ``specs`` linked to it, with their units.

    ``specs`` are ``surveys.frameworks.spec.FrameworkSpec`` objects (typed loosely so that this
    app does not import the survey app, which imports it).
    """
    found: dict[tuple[str, str], list[LinkedUnit]] = {}
    for spec in specs:
        for question in spec.questions:  # type: ignore[attr-defined]
            link = question.official
            if link is None:
                continue
            place = f"question {question.code} of {spec.code} {spec.version}"  # type: ignore[attr-defined]
            found.setdefault((link.source, link.indicator), []).append(
                LinkedUnit(place=place, unit=link.unit)
            )
    return found
