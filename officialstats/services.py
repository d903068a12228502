"""Writing official statistics: one checked file replaces its source's content, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from officialstats.files import StatisticsFile
from officialstats.models import OfficialValue, SourceEconomy, SourceIndicator, StatisticsSource

__all__ = ["LoadSummary", "statistics_load"]


@dataclass(frozen=True)
class LoadSummary:
    source: StatisticsSource
    created: int
    updated: int
    unchanged: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def statistics_load(*, parsed: StatisticsFile) -> LoadSummary:
    """Make the stored source equal to ``parsed`` in one transaction; return what changed.

    Only differences are written, so loading the same file twice changes nothing the second
    time; values, indicators and economies the file no longer holds are removed, since the file
    is the source's whole publication.
    """
    meta = parsed.source
    fields = {
        "name": meta.name,
        "publisher": meta.publisher,
        "edition": meta.edition,
        "year": meta.year,
        "licence": meta.licence,
        "attribution": meta.attribution,
        "url": meta.url,
    }
    with transaction.atomic():
        source = StatisticsSource.objects.select_for_update().filter(code=meta.code).first()
        updated = 0
        if source is None:
            source = StatisticsSource.objects.create(code=meta.code, **fields)
        elif any(getattr(source, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(source, name, value)
            source.save()
            updated += 1
        indicators = {row.code: row for row in SourceIndicator.objects.filter(source=source)}
        for item in parsed.indicators:
            stored = indicators.get(item.code)
            if stored is None:
                indicators[item.code] = SourceIndicator.objects.create(
                    source=source, code=item.code, name=item.name, unit=item.unit
                )
            elif (stored.name, stored.unit) != (item.name, item.unit):
                stored.name, stored.unit = item.name, item.unit
                stored.save(update_fields=["name", "unit"])
                updated += 1
        economies = {row.iso3: row for row in SourceEconomy.objects.filter(source=source)}
        for item in parsed.economies:
            stored = economies.get(item.iso3)
            wanted = (item.name, item.region, item.income_group)
            if stored is None:
                economies[item.iso3] = SourceEconomy.objects.create(
                    source=source,
                    iso3=item.iso3,
                    name=item.name,
                    region=item.region,
                    income_group=item.income_group,
                )
            elif (stored.name, stored.region, stored.income_group) != wanted:
                stored.name, stored.region, stored.income_group = wanted
                stored.save(update_fields=["name", "region", "income_group"])
                updated += 1
        existing = {
            (row.economy_id, row.indicator_id, row.year): row
            for row in OfficialValue.objects.filter(indicator__source=source)
        }
        to_create: list[OfficialValue] = []
        to_update: list[OfficialValue] = []
        unchanged = 0
        kept: set[int] = set()
        for item in parsed.values:
            economy = economies[item.iso3]
            indicator = indicators[item.indicator]
            stored = existing.get((economy.pk, indicator.pk, item.year))
            wanted_value = (item.value, item.estimate, item.lagged)
            if stored is None:
                to_create.append(
                    OfficialValue(
                        economy=economy,
                        indicator=indicator,
                        year=item.year,
                        value=item.value,
                        estimate=item.estimate,
                        lagged=item.lagged,
                    )
                )
                continue
            kept.add(stored.pk)
            if (stored.value, stored.estimate, stored.lagged) == wanted_value:
                unchanged += 1
            else:
                stored.value, stored.estimate, stored.lagged = wanted_value
                to_update.append(stored)
        stale = [row.pk for row in existing.values() if row.pk not in kept]
        OfficialValue.objects.filter(pk__in=stale).delete()
        OfficialValue.objects.bulk_create(to_create, batch_size=1000)
        OfficialValue.objects.bulk_update(
            to_update, ["value", "estimate", "lagged"], batch_size=1000
        )
        wanted_codes = {item.code for item in parsed.indicators}
        wanted_iso3 = {item.iso3 for item in parsed.economies}
        removed = len(stale)
        removed += (
            SourceIndicator.objects.filter(source=source).exclude(code__in=wanted_codes).delete()[0]
        )
        removed += (
            SourceEconomy.objects.filter(source=source).exclude(iso3__in=wanted_iso3).delete()[0]
        )
    return LoadSummary(
        source=source,
        created=len(to_create),
        updated=updated + len(to_update),
        unchanged=unchanged,
        removed=removed,
    )
