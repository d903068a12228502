"""Framework questions linked to official indicators (the ``official:`` key of a question)."""

from __future__ import annotations

from collections.abc import Iterable

from officialstats.files import LinkedUnit

__all__ = ["linked_units", "stored_link_problems"]


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


def stored_link_problems(links: dict[tuple[str, str], list[LinkedUnit]]) -> list[str]:
    """Links that contradict a statistics source already loaded (two queries).

    A link to a source not loaded yet is fine (frameworks may come first); to a loaded source it
    must name one of its indicators, in the unit the source publishes it in.
    """
    from officialstats.models import SourceIndicator, StatisticsSource

    sources = {source for source, _indicator in links}
    loaded = set(StatisticsSource.objects.filter(code__in=sources).values_list("code", flat=True))
    units = {
        (source, code): unit
        for source, code, unit in SourceIndicator.objects.filter(
            source__code__in=loaded
        ).values_list("source__code", "code", "unit")
    }
    problems = []
    for (source, indicator), items in links.items():
        if source not in loaded:
            continue
        unit = units.get((source, indicator))
        for item in items:
            if unit is None:
                problems.append(f"{item.place}: source {source!r} has no indicator {indicator!r}")
            elif unit != item.unit:
                problems.append(
                    f"{item.place}: indicator {indicator!r} of {source!r} is in {unit!r}, "
                    f"not {item.unit!r}"
                )
    return problems
