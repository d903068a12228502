"""The offer catalogue: reading, validating and loading providers, offers and demand rules.

The file format is documented in docs/offers.md. Loading is all-or-nothing and idempotent:
every problem is collected with its place (``offers[2] (OFF-1), seats`` in YAML, ``row 3
(OFF-1), column seats`` in CSV) and nothing is written unless there is none; loading the same
file again updates the same rows by code and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pycountry
from django.db import transaction
from django.utils.translation import gettext as _

from planning.catalogue import CatalogueError, RawEntry, framework_for_catalogue
from planning.catalogue_files import (
    check_file_size,
    csv_entries,
    read_catalogue_file_text,
    yaml_mapping,
)
from planning.models import DeliveryMode, DemandRule, Offer, OfferLevel, Provider, ProviderKind
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Country
from surveys.models.countries import ItuRegion

FORMAT = "offer-catalogue/1"
MAX_SEATS = 10_000_000
MAX_COST = Decimal("1e9")
MAX_DURATION_DAYS = 3650
MAX_PARTICIPANTS_PER_POINT = Decimal("10000")
CSV_LIST_SEPARATOR = ";"
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOP_LEVEL = ("format", "framework", "sample", "providers", "offers", "demand_rules")
_PROVIDER_FIELDS = ("code", "name", "kind", "country", "region", "languages", "active")
_OFFER_FIELDS = (
    "code",
    "provider",
    "title",
    "topics",
    "mode",
    "languages",
    "seats",
    "cost",
    "duration_days",
    "level",
    "active",
)
_RULE_FIELDS = ("country", "languages", "mode", "participants_per_point")
_CSV_COLUMNS = {
    "framework",
    "provider",
    "provider_name",
    "provider_kind",
    "provider_country",
    "provider_region",
    "provider_languages",
    "code",
    "topics",
    "mode",
    "languages",
    "seats",
    "cost",
    "duration_days",
    "level",
    "active",
}


class OfferCatalogueError(CatalogueError):
    """An offer file with problems; ``errors`` lists every one with its place."""


@dataclass(frozen=True)
class OffersLoadResult:
    providers: int
    offers: int
    rules: int
    created: int
    updated: int

    @property
    def message(self) -> str:
        return _(
            "Offer catalogue: %(providers)s providers, %(offers)s offers, %(rules)s demand "
            "rules (%(created)s created, %(updated)s updated)."
        ) % {
            "providers": self.providers,
            "offers": self.offers,
            "rules": self.rules,
            "created": self.created,
            "updated": self.updated,
        }


@dataclass(frozen=True)
class _File:
    framework_code: str | None
    sample: bool
    providers: tuple[RawEntry, ...]
    offers: tuple[RawEntry, ...]
    rules: tuple[RawEntry, ...]
    # Row-level problems found while reading, reported with the values' problems.
    problems: tuple[str, ...] = ()


def is_language(code: str) -> bool:
    """An ISO 639-1 code (two letters) known to pycountry."""
    return bool(
        isinstance(code, str)
        and re.fullmatch(r"[a-z]{2}", code)
        and pycountry.languages.get(alpha_2=code)
    )


def read_offers_file(path: str | Path) -> _File:
    """Read a ``.yaml``/``.yml`` or ``.csv`` offer file (values are checked by the loader)."""
    content = read_catalogue_file_text(path, error_class=OfferCatalogueError)
    return read_offers_text(content.content, csv_format=content.is_csv)


def read_offers_text(text: bytes | str, *, csv_format: bool) -> _File:
    """Parse YAML or CSV content into raw entries; CSV may be bytes in any import encoding."""
    check_file_size(text, error_class=OfferCatalogueError)
    if csv_format:
        return _read_csv(text)
    return _read_yaml(text.decode("utf-8-sig") if isinstance(text, bytes) else text)


def offers_load(*, catalogue: _File, framework_code: str | None = None) -> OffersLoadResult:
    """Validate providers, offers and demand rules and store them in one transaction.

    Rows are inserted or updated by code (providers, offers) or country (demand rules).

    Raises
    ------
    OfferCatalogueError
        With every problem; nothing is written.
    """
    code = framework_code or catalogue.framework_code
    if not code:
        raise OfferCatalogueError([_("framework: say which framework the catalogue is for")])
    try:
        spec = framework_for_catalogue(code).spec
    except CatalogueError as error:
        raise OfferCatalogueError(error.errors) from error
    errors: list[str] = list(catalogue.problems)
    countries = {c.alpha3: c for c in Country.objects.all()}
    providers = _validate_providers(catalogue.providers, countries, errors)
    stored_providers = set(Provider.objects.values_list("code", flat=True))
    offers = _validate_offers(catalogue.offers, spec, set(providers) | stored_providers, errors)
    rules = _validate_rules(catalogue.rules, countries, errors)
    if not providers and not offers and not rules and not errors:
        errors.append(_("offers: the catalogue is empty"))
    if errors:
        raise OfferCatalogueError(errors)
    created = updated = 0
    with transaction.atomic():
        stored: dict[str, Provider] = {}
        for provider_code, values in providers.items():
            provider, was_created = Provider.objects.update_or_create(
                code=provider_code, defaults={**values, "sample": catalogue.sample}
            )
            stored[provider_code] = provider
            created += was_created
            updated += not was_created
        missing = {v["provider"] for v in offers.values()} - set(stored)
        stored.update(Provider.objects.in_bulk(list(missing), field_name="code"))
        for offer_code, values in offers.items():
            values = {**values, "provider": stored[values["provider"]], "framework_code": code}
            _offer, was_created = Offer.objects.update_or_create(code=offer_code, defaults=values)
            created += was_created
            updated += not was_created
        for alpha3, values in rules.items():
            _rule, was_created = DemandRule.objects.update_or_create(
                country=countries[alpha3], defaults=values
            )
            created += was_created
            updated += not was_created
    return OffersLoadResult(len(providers), len(offers), len(rules), created, updated)


def offer_errors(offer: Offer) -> list[str]:
    """Problems of one offer edited in the admin (the same checks as the loader)."""
    try:
        spec = framework_for_catalogue(offer.framework_code).spec
    except CatalogueError as error:
        return error.errors
    errors: list[str] = []
    problem = _reporter(RawEntry("offer", {}), offer.code, errors)
    _topics(offer.topics, spec, problem)
    _languages(offer.languages, "languages", problem)
    return errors


def topic_codes(spec: FrameworkSpec) -> set[str]:
    return {pillar.code for pillar in spec.pillars} | {ind.code for ind in spec.indicators}


def expand_topics(topics: Sequence[str], spec: FrameworkSpec) -> set[str]:
    """Indicator codes an offer covers: a pillar code stands for each of its indicators."""
    pillars = {pillar.code: pillar for pillar in spec.pillars}
    covered: set[str] = set()
    for code in topics:
        if code in pillars:
            covered.update(ind.code for ind in pillars[code].all_indicators)
        else:
            covered.add(code)
    return covered


# ---------------------------------------------------------------------------------------------
# Reading


def _read_yaml(text: str) -> _File:
    data = yaml_mapping(
        text,
        error_class=OfferCatalogueError,
        expected=_("file: expected a mapping with 'format', 'framework', 'providers', 'offers'"),
    )
    errors = [
        _("%(key)s: unknown top-level key") % {"key": key} for key in data if key not in _TOP_LEVEL
    ]
    if data.get("format", FORMAT) != FORMAT:
        errors.append(
            _("format: expected %(expected)s, got %(found)s")
            % {"expected": repr(FORMAT), "found": repr(data.get("format"))}
        )
    framework_code = data.get("framework")
    if framework_code is not None and not isinstance(framework_code, str):
        errors.append(_("framework: expected a framework code"))
    sample = data.get("sample", False)
    if not isinstance(sample, bool):
        errors.append(_("sample: expected true or false"))
    sections: dict[str, list[RawEntry]] = {}
    for section in ("providers", "offers", "demand_rules"):
        items = data.get(section) or []
        sections[section] = []
        if not isinstance(items, list):
            errors.append(_("%(section)s: expected a list") % {"section": section})
            continue
        for index, item in enumerate(items):
            place = f"{section}[{index}]"
            if not isinstance(item, dict):
                errors.append(_("%(place)s: expected a mapping of fields") % {"place": place})
                continue
            sections[section].append(RawEntry(place, item))
    if errors:
        raise OfferCatalogueError(errors)
    return _File(
        framework_code=framework_code,
        sample=bool(sample),
        providers=tuple(sections["providers"]),
        offers=tuple(sections["offers"]),
        rules=tuple(sections["demand_rules"]),
    )


def _read_csv(content: bytes | str) -> _File:
    """One offer per row; provider columns repeat on each of its offers and must agree."""
    table = csv_entries(
        content,
        error_class=OfferCatalogueError,
        allowed=_CSV_COLUMNS,
        allowed_pattern=r"title_[a-z]{2,3}",
        required=("provider", "code", "topics", "mode", "languages", "seats", "cost"),
    )
    errors = list(table.problems)
    providers: dict[str, RawEntry] = {}
    offers: list[RawEntry] = []
    for place, cells in table.rows:
        provider = _csv_provider(cells)
        if provider["name"] and provider["code"]:
            earlier = providers.get(provider["code"])
            if earlier is None:
                providers[provider["code"]] = RawEntry(place, provider, is_csv=True)
            elif earlier.values != provider:
                errors.append(
                    _("%(place)s, provider %(code)s: details differ from %(earlier)s")
                    % {"place": place, "code": provider["code"], "earlier": earlier.place}
                )
        offers.append(RawEntry(place, _csv_offer(cells), is_csv=True))
    return _File(
        framework_code=table.framework_code,
        sample=False,
        providers=tuple(providers.values()),
        offers=tuple(offers),
        rules=(),
        problems=tuple(errors),
    )


def _csv_provider(cells: dict[str, str]) -> dict[str, Any]:
    """The provider columns of a row, as the fields of a YAML provider."""
    return {
        "code": cells.get("provider", ""),
        "name": cells.get("provider_name", ""),
        "kind": cells.get("provider_kind", ""),
        "country": cells.get("provider_country", ""),
        "region": cells.get("provider_region", ""),
        "languages": _split(cells.get("provider_languages", "")),
    }


def _csv_offer(cells: dict[str, str]) -> dict[str, Any]:
    """The offer columns of a row, as the fields of a YAML offer (lists split on ``;``)."""
    values: dict[str, Any] = {
        key: cells[key]
        for key in ("code", "mode", "seats", "cost", "duration_days", "level", "active")
        if cells.get(key)
    }
    values["provider"] = cells.get("provider", "")
    values["topics"] = _split(cells.get("topics", ""))
    values["languages"] = _split(cells.get("languages", ""))
    values["title"] = {
        column.split("_", 1)[1]: cell
        for column, cell in cells.items()
        if column.startswith("title_") and cell
    }
    return values


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(CSV_LIST_SEPARATOR) if part.strip()]


# ---------------------------------------------------------------------------------------------
# Validating


Problem = Callable[[str, str], None]


def _reporter(entry: RawEntry, code: str | None, errors: list[str]) -> Problem:
    where = f"{entry.place} ({code})" if code else entry.place

    def problem(name: str, message: str) -> None:
        field = _("column %(name)s") % {"name": name} if entry.is_csv else name
        errors.append(
            _("%(place)s, %(field)s: %(problem)s")
            % {"place": where, "field": field, "problem": message}
        )

    return problem


def _checked_code(
    entry: RawEntry, seen: dict[str, str], errors: list[str], *, name: str = "code"
) -> tuple[str, Problem]:
    raw = entry.values.get(name)
    code = str(raw).strip() if raw not in (None, "") else ""
    if name == "country":
        code = code.upper()
    problem = _reporter(entry, code or None, errors)
    if not code:
        problem(name, _("required"))
    elif name == "code" and not _CODE_PATTERN.match(code):
        problem("code", _("use letters, digits, '.', '_' or '-' (at most 64 characters)"))
    elif code in seen:
        problem(
            name,
            _("duplicate code %(code)s (also at %(place)s)")
            % {"code": repr(code), "place": seen[code]},
        )
    else:
        seen[code] = entry.place
    return code, problem


def _unknown_fields(entry: RawEntry, allowed: Sequence[str], problem: Problem) -> None:
    if entry.is_csv:
        return
    for key in entry.values:
        if key not in allowed:
            problem(str(key), _("unknown field"))


def _validate_providers(
    entries: Sequence[RawEntry], countries: dict[str, Country], errors: list[str]
) -> dict[str, dict[str, Any]]:
    seen: dict[str, str] = {}
    valid: dict[str, dict[str, Any]] = {}
    for entry in entries:
        before = len(errors)
        code, problem = _checked_code(entry, seen, errors)
        values = entry.values
        _unknown_fields(entry, _PROVIDER_FIELDS, problem)
        name = str(values.get("name") or "").strip()
        if not name:
            problem("name", _("required"))
        kind = values.get("kind")
        if kind not in ProviderKind.values:
            problem("kind", _choices_message(kind, ProviderKind.values))
        country = None
        alpha3 = str(values.get("country") or "").strip().upper()
        if alpha3:
            country = countries.get(alpha3)
            if country is None:
                problem("country", _("unknown country code %(code)s") % {"code": repr(alpha3)})
        region = str(values.get("region") or "").strip() or (country.itu_region if country else "")
        if region not in ItuRegion.values:
            problem(
                "region",
                _("give the ITU region (one of %(choices)s) or a country that has one")
                % {"choices": ", ".join(ItuRegion.values)},
            )
        languages = _languages(values.get("languages"), "languages", problem)
        active = _boolean(values.get("active", True), problem)
        if len(errors) == before:
            valid[code] = {
                "name": name,
                "kind": kind,
                "country": country,
                "region": region,
                "languages": languages,
                "active": active,
            }
    return valid


def _validate_offers(
    entries: Sequence[RawEntry], spec: FrameworkSpec, provider_codes: set[str], errors: list[str]
) -> dict[str, dict[str, Any]]:
    seen: dict[str, str] = {}
    valid: dict[str, dict[str, Any]] = {}
    for entry in entries:
        before = len(errors)
        code, problem = _checked_code(entry, seen, errors)
        values = entry.values
        _unknown_fields(entry, _OFFER_FIELDS, problem)
        provider = str(values.get("provider") or "").strip()
        if provider not in provider_codes:
            problem(
                "provider",
                _("unknown provider %(code)s; list it under providers") % {"code": repr(provider)},
            )
        title = values.get("title")
        if not isinstance(title, dict) or not all(
            isinstance(text, str) and text.strip() for text in title.values()
        ):
            problem("title", _("expected a text per language, e.g. {en: ..., fr: ...}"))
            title = {}
        elif "en" not in title:
            problem("title", _("an English ('en') text is required"))
        topics = _topics(values.get("topics"), spec, problem)
        mode = values.get("mode")
        if mode not in DeliveryMode.values:
            problem("mode", _choices_message(mode, DeliveryMode.values))
        languages = _languages(values.get("languages"), "languages", problem)
        seats = _whole(values.get("seats"), "seats", MAX_SEATS, problem, minimum=0)
        cost = _amount(values.get("cost"), problem)
        duration = _whole(
            values.get("duration_days", 1), "duration_days", MAX_DURATION_DAYS, problem, minimum=1
        )
        level = values.get("level", OfferLevel.INTRODUCTORY)
        if level not in OfferLevel.values:
            problem("level", _choices_message(level, OfferLevel.values))
        active = _boolean(values.get("active", True), problem)
        if len(errors) == before:
            valid[code] = {
                "provider": provider,
                "title": {lang: text.strip() for lang, text in title.items()},
                "topics": topics,
                "mode": mode,
                "languages": languages,
                "seats": seats,
                "cost": cost,
                "duration_days": duration,
                "level": level,
                "active": active,
            }
    return valid


def _validate_rules(
    entries: Sequence[RawEntry], countries: dict[str, Country], errors: list[str]
) -> dict[str, dict[str, Any]]:
    seen: dict[str, str] = {}
    valid: dict[str, dict[str, Any]] = {}
    for entry in entries:
        before = len(errors)
        alpha3, problem = _checked_code(entry, seen, errors, name="country")
        _unknown_fields(entry, _RULE_FIELDS, problem)
        if alpha3 and alpha3 not in countries:
            problem("country", _("unknown country code %(code)s") % {"code": repr(alpha3)})
        shares = entry.values.get("languages") or {}
        if not isinstance(shares, dict) or not shares:
            problem("languages", _("expected language shares, e.g. {fr: 0.7, en: 0.3}"))
            shares = {}
        for language, share in shares.items():
            if not is_language(language):
                problem("languages", _("unknown language %(code)s") % {"code": repr(language)})
            if isinstance(share, bool) or not isinstance(share, int | float) or share <= 0:
                problem(
                    "languages",
                    _("the share of %(code)s must be a number above zero") % {"code": language},
                )
        mode = entry.values.get("mode") or ""
        if mode and mode not in DeliveryMode.values:
            problem("mode", _choices_message(mode, DeliveryMode.values))
        per_point = _decimal(entry.values.get("participants_per_point", 1))
        if per_point is None or not 0 <= per_point <= MAX_PARTICIPANTS_PER_POINT:
            problem(
                "participants_per_point",
                _("expected a number from 0 to %(maximum)s")
                % {"maximum": MAX_PARTICIPANTS_PER_POINT},
            )
        if len(errors) == before:
            total = sum(float(share) for share in shares.values())
            valid[alpha3] = {
                "languages": {lang: float(share) / total for lang, share in shares.items()},
                "mode": mode,
                "participants_per_point": per_point,
            }
    return valid


def _choices_message(value: Any, choices: Sequence[str]) -> str:
    return _("unknown value %(value)s; use one of %(choices)s") % {
        "value": repr(value),
        "choices": ", ".join(choices),
    }


def _topics(value: Any, spec: FrameworkSpec, problem: Problem) -> list[str]:
    if not isinstance(value, list) or not value:
        problem("topics", _("expected a list of indicator or pillar codes"))
        return []
    known = topic_codes(spec)
    for code in value:
        if code not in known:
            problem("topics", _("unknown indicator or pillar code %(code)s") % {"code": repr(code)})
    return list(dict.fromkeys(str(code) for code in value))


def _languages(value: Any, name: str, problem: Problem) -> list[str]:
    if not isinstance(value, list) or not value:
        problem(name, _("expected a list of ISO 639-1 language codes, e.g. [en, fr]"))
        return []
    for code in value:
        if not is_language(code):
            problem(name, _("unknown language %(code)s") % {"code": repr(code)})
    return list(dict.fromkeys(str(code) for code in value))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace("_", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _whole(value: Any, name: str, maximum: int, problem: Problem, *, minimum: int) -> int:
    number = _decimal(value)
    if number is None or number != number.to_integral_value() or not minimum <= number <= maximum:
        problem(
            name,
            _("expected a whole number from %(minimum)s to %(maximum)s, got %(value)s")
            % {"minimum": minimum, "maximum": maximum, "value": repr(value)},
        )
        return 0
    return int(number)


def _amount(value: Any, problem: Problem) -> Decimal:
    number = _decimal(value)
    if number is None or not 0 <= number <= MAX_COST:
        problem(
            "cost",
            _("expected an amount in USD from 0 to %(maximum)s, got %(value)s")
            % {"maximum": int(MAX_COST), "value": repr(value)},
        )
        return Decimal(0)
    return number.quantize(Decimal("0.01"))


def _boolean(value: Any, problem: Problem) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "1"}:
        return True
    if text in {"false", "no", "0"}:
        return False
    problem("active", _("expected true or false, got %(value)s") % {"value": repr(value)})
    return True
