"""The intervention catalogue: reading, validating and loading YAML or CSV files.

The file format is documented in docs/intervention-catalogue.md. Loading is all-or-nothing:
every problem of the file is collected with its place (``interventions[3] (SKL-TOT), cost`` in
YAML, ``row 4 (SKL-TOT), column cost`` in CSV) and nothing is written unless there is none.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from planning.models import DeliveryChannel, Intervention, InterventionKind
from surveys.frameworks.reading import FrameworkError, parse_yaml
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Framework, FrameworkStatus

FORMAT = "intervention-catalogue/1"
YAML_FIELDS = (
    "code",
    "title",
    "description",
    "kind",
    "channel",
    "targets",
    "cost",
    "duration_months",
    "prerequisites",
    "exclusions",
    "active",
)
REQUIRED_FIELDS = ("code", "title", "kind", "channel", "targets", "cost", "duration_months")
CSV_LIST_SEPARATOR = ";"
MAX_COST = Decimal("1e12")
MAX_DURATION_MONTHS = 240
MAX_FILE_BYTES = 5 * 1024 * 1024
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class CatalogueError(ValueError):
    """A catalogue file with problems; ``errors`` lists every one with its place."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            ngettext(
                "%(count)s problem in the catalogue: %(problems)s",
                "%(count)s problems in the catalogue: %(problems)s",
                count,
            )
            % {"count": count, "problems": "; ".join(self.errors)}
        )


@dataclass(frozen=True)
class InterventionData:
    """One validated catalogue entry, before it is stored."""

    code: str
    title: dict[str, str]
    kind: str
    channel: str
    targets: dict[str, float]
    cost: Decimal
    duration_months: int
    description: dict[str, str] = field(default_factory=dict)
    prerequisites: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class RawEntry:
    """One entry as read from a file, with the place used in error messages."""

    place: str
    values: dict[str, Any]
    is_csv: bool = False


@dataclass(frozen=True)
class CatalogueFile:
    framework_code: str | None
    entries: tuple[RawEntry, ...]


@dataclass(frozen=True)
class CatalogueLoadResult:
    framework_code: str
    created: int
    updated: int
    deactivated: int

    @property
    def message(self) -> str:
        return _(
            "Catalogue of %(framework)s: %(created)s created, %(updated)s updated, "
            "%(deactivated)s deactivated."
        ) % {
            "framework": self.framework_code,
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
        }


def read_catalogue_text(text: str, *, csv_format: bool) -> CatalogueFile:
    """Parse YAML or CSV text into raw entries (no validation of values yet)."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise CatalogueError([_("file: larger than %(limit)s bytes") % {"limit": MAX_FILE_BYTES}])
    return _read_csv(text) if csv_format else _read_yaml(text)


def read_catalogue_file(path: str | Path) -> CatalogueFile:
    """Read a ``.yaml``/``.yml`` or ``.csv`` catalogue file.

    Raises
    ------
    CatalogueError
        For an unknown extension, unreadable or malformed file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise CatalogueError(
            [_("file: %(name)s must end in .yaml, .yml or .csv") % {"name": path.name}]
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CatalogueError(
            [
                _("file: cannot read %(path)s: %(reason)s")
                % {"path": path, "reason": error.strerror or error}
            ]
        ) from error
    except UnicodeDecodeError as error:
        raise CatalogueError(
            [_("file: %(name)s is not UTF-8 text") % {"name": path.name}]
        ) from error
    return read_catalogue_text(text, csv_format=suffix == ".csv")


def validate_catalogue(
    entries: Iterable[RawEntry],
    spec: FrameworkSpec,
    *,
    known_codes: Iterable[str] = (),
) -> list[InterventionData]:
    """Validate raw entries against a framework; every problem is reported at once.

    ``known_codes`` are codes already in the stored catalogue that prerequisites and
    exclusions may refer to besides the file's own codes.

    Raises
    ------
    CatalogueError
        If any entry has a problem, or there is no entry at all.
    """
    entries = list(entries)
    errors: list[str] = []
    if not entries:
        raise CatalogueError([_("interventions: the catalogue is empty")])
    targets_known = _target_codes(spec)
    validated: list[tuple[RawEntry, InterventionData]] = []
    seen: dict[str, str] = {}
    for entry in entries:
        data = _validate_entry(entry, spec, targets_known, errors)
        if data is None:
            continue
        if data.code in seen:
            errors.append(
                _problem_at(
                    _where(entry, data.code),
                    _field(entry, "code"),
                    _("duplicate code %(code)s (also at %(place)s)")
                    % {"code": repr(data.code), "place": seen[data.code]},
                )
            )
            continue
        seen[data.code] = entry.place
        validated.append((entry, data))
    references = set(seen) | set(known_codes)
    for entry, data in validated:
        for name in ("prerequisites", "exclusions"):
            for code in getattr(data, name):
                if code == data.code:
                    problem = _("refers to itself")
                elif code not in references:
                    problem = _("unknown intervention code %(code)s") % {"code": repr(code)}
                else:
                    continue
                errors.append(_problem_at(_where(entry, data.code), _field(entry, name), problem))
        both = set(data.prerequisites) & set(data.exclusions)
        if both:
            errors.append(
                _("%(place)s: %(codes)s cannot be both a prerequisite and an exclusion")
                % {"place": _where(entry, data.code), "codes": sorted(both)}
            )
    errors.extend(
        _prerequisite_cycles({data.code: data.prerequisites for _entry, data in validated})
    )
    if errors:
        raise CatalogueError(errors)
    return [data for _entry, data in validated]


def framework_for_catalogue(framework_code: str) -> Framework:
    """The framework version a catalogue is checked against: the latest published one.

    Falls back to the latest draft when no version is published yet.
    """
    versions = Framework.objects.filter(code=framework_code).order_by("-created_at", "-pk")
    framework = versions.filter(status=FrameworkStatus.PUBLISHED).first() or versions.first()
    if framework is None:
        raise CatalogueError(
            [
                _("framework: no framework with code %(code)s is loaded; load it first")
                % {"code": repr(framework_code)}
            ]
        )
    return framework


def catalogue_load(
    *,
    catalogue: CatalogueFile,
    framework_code: str | None = None,
    deactivate_missing: bool = False,
) -> CatalogueLoadResult:
    """Validate a catalogue and store it in one transaction (insert or update by code).

    Parameters
    ----------
    catalogue : CatalogueFile
        From :func:`read_catalogue_file` or :func:`read_catalogue_text`.
    framework_code : str, optional
        Overrides (or supplies) the file's framework code.
    deactivate_missing : bool
        Mark stored interventions of the framework that the file does not list as inactive.

    Raises
    ------
    CatalogueError
        With every problem; nothing is written.
    """
    code = framework_code or catalogue.framework_code
    if not code:
        raise CatalogueError([_("framework: say which framework the catalogue is for")])
    spec = framework_for_catalogue(code).spec
    stored = {item.code: item for item in Intervention.objects.filter(framework_code=code)}
    kept_codes = () if deactivate_missing else stored.keys()
    items = validate_catalogue(catalogue.entries, spec, known_codes=kept_codes)
    created = updated = 0
    with transaction.atomic():
        for data in items:
            values = {
                "title": data.title,
                "description": data.description,
                "kind": data.kind,
                "channel": data.channel,
                "targets": data.targets,
                "cost": data.cost,
                "duration_months": data.duration_months,
                "prerequisites": list(data.prerequisites),
                "exclusions": list(data.exclusions),
                "active": data.active,
            }
            _stored, was_created = Intervention.objects.update_or_create(
                framework_code=code, code=data.code, defaults=values
            )
            created += was_created
            updated += not was_created
        deactivated = 0
        if deactivate_missing:
            listed = {data.code for data in items}
            deactivated = (
                Intervention.objects.filter(framework_code=code, active=True)
                .exclude(code__in=listed)
                .update(active=False)
            )
    return CatalogueLoadResult(code, created, updated, deactivated)


def intervention_errors(intervention: Intervention) -> list[str]:
    """Problems of one stored or edited intervention (the admin form's validation)."""
    try:
        spec = framework_for_catalogue(intervention.framework_code).spec
    except CatalogueError as error:
        return error.errors
    others = Intervention.objects.filter(framework_code=intervention.framework_code)
    if intervention.pk:
        others = others.exclude(pk=intervention.pk)
    entry = RawEntry(
        place="intervention",
        values={
            "code": intervention.code,
            "title": intervention.title,
            "description": intervention.description,
            "kind": intervention.kind,
            "channel": intervention.channel,
            "targets": intervention.targets,
            "cost": intervention.cost,
            "duration_months": intervention.duration_months,
            "prerequisites": intervention.prerequisites,
            "exclusions": intervention.exclusions,
            "active": intervention.active,
        },
    )
    try:
        validate_catalogue([entry], spec, known_codes=others.values_list("code", flat=True))
    except CatalogueError as error:
        return error.errors
    return []


def expand_targets(targets: Mapping[str, float], spec: FrameworkSpec) -> dict[str, float]:
    """Indicator code → expected improvement, a pillar target applying to each of its indicators.

    Unknown codes are kept as they are so that the caller can report them.
    """
    pillars = {pillar.code: pillar for pillar in spec.pillars}
    expanded: dict[str, float] = {}
    for code, points in targets.items():
        if code in pillars:
            for indicator in pillars[code].all_indicators:
                expanded[indicator.code] = expanded.get(indicator.code, 0.0) + float(points)
        else:
            expanded[code] = expanded.get(code, 0.0) + float(points)
    return expanded


def _read_yaml(text: str) -> CatalogueFile:
    try:
        data = parse_yaml(text)
    except FrameworkError as error:
        raise CatalogueError([str(issue) for issue in error.issues]) from error
    if not isinstance(data, dict):
        raise CatalogueError(
            [_("file: expected a mapping with 'format', 'framework', 'interventions'")]
        )
    errors = [
        _("%(key)s: unknown top-level key") % {"key": key}
        for key in data
        if key not in ("format", "framework", "interventions")
    ]
    if data.get("format", FORMAT) != FORMAT:
        errors.append(
            _("format: expected %(expected)s, got %(found)s")
            % {"expected": repr(FORMAT), "found": repr(data.get("format"))}
        )
    framework_code = data.get("framework")
    if framework_code is not None and not isinstance(framework_code, str):
        errors.append(_("framework: expected a framework code"))
    items = data.get("interventions")
    if items is None:
        items = []
    if not isinstance(items, list):
        errors.append(_("interventions: expected a list of interventions"))
        items = []
    entries = []
    for index, item in enumerate(items):
        place = f"interventions[{index}]"
        if not isinstance(item, dict):
            errors.append(_("%(place)s: expected a mapping of fields") % {"place": place})
            continue
        entries.append(RawEntry(place=place, values=item))
    if errors:
        raise CatalogueError(errors)
    return CatalogueFile(framework_code=framework_code, entries=tuple(entries))


def _read_csv(text: str) -> CatalogueFile:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    allowed = {"framework", "code", "kind", "channel", "targets", "cost", "duration_months"}
    allowed |= {"prerequisites", "exclusions", "active"}
    errors = []
    for column in header:
        if column in allowed or re.fullmatch(r"(title|description)_[a-z]{2,3}", column or ""):
            continue
        errors.append(_("header, column %(column)s: unknown column") % {"column": repr(column)})
    for column in ("code", "kind", "channel", "targets", "cost", "duration_months", "title_en"):
        if column not in header:
            errors.append(_("header: missing column %(column)s") % {"column": repr(column)})
    if errors:
        raise CatalogueError(errors)
    entries = []
    frameworks: set[str] = set()
    for row_number, row in enumerate(reader, start=2):
        if None in row:
            errors.append(
                _("row %(number)s: more cells than columns in the header") % {"number": row_number}
            )
            continue
        cells = {key: (value or "").strip() for key, value in row.items()}
        if not any(cells.values()):
            continue
        if cells.get("framework"):
            frameworks.add(cells["framework"])
        values: dict[str, Any] = {
            key: cells[key]
            for key in ("code", "kind", "channel", "cost", "duration_months")
            if key in cells
        }
        for name in ("title", "description"):
            values[name] = {
                column.split("_", 1)[1]: cell
                for column, cell in cells.items()
                if column.startswith(f"{name}_") and cell
            }
        values["targets"] = cells.get("targets", "")
        for name in ("prerequisites", "exclusions"):
            values[name] = [
                code.strip()
                for code in cells.get(name, "").split(CSV_LIST_SEPARATOR)
                if code.strip()
            ]
        if cells.get("active"):
            values["active"] = cells["active"]
        place = _("row %(number)s") % {"number": row_number}
        entries.append(RawEntry(place=place, values=values, is_csv=True))
    if len(frameworks) > 1:
        errors.append(
            _("column 'framework': several frameworks in one file: %(codes)s")
            % {"codes": sorted(frameworks)}
        )
    if errors:
        raise CatalogueError(errors)
    return CatalogueFile(framework_code=next(iter(frameworks), None), entries=tuple(entries))


def _where(entry: RawEntry, code: str | None) -> str:
    return f"{entry.place} ({code})" if code else entry.place


def _field(entry: RawEntry, name: str) -> str:
    return _("column %(name)s") % {"name": name} if entry.is_csv else name


def _problem_at(place: str, field_name: str, problem: str) -> str:
    """``interventions[3] (SKL-TOT), cost: <problem>`` in the active language's punctuation."""
    return _("%(place)s, %(field)s: %(problem)s") % {
        "place": place,
        "field": field_name,
        "problem": problem,
    }


def _validate_entry(
    entry: RawEntry, spec: FrameworkSpec, targets_known: set[str], errors: list[str]
) -> InterventionData | None:
    values = entry.values
    before = len(errors)
    raw_code = values.get("code")
    code = str(raw_code).strip() if raw_code not in (None, "") else ""
    where = _where(entry, code or None)

    def problem(name: str, message: str) -> None:
        errors.append(_problem_at(where, _field(entry, name), message))

    if not entry.is_csv:
        for key in values:
            if key not in YAML_FIELDS:
                errors.append(
                    _("%(place)s: unknown field %(name)s") % {"place": where, "name": repr(key)}
                )
    for name in REQUIRED_FIELDS:
        if values.get(name) in (None, "", {}, []):
            problem(name, _("required"))
    if code and not _CODE_PATTERN.match(code):
        problem("code", _("use letters, digits, '.', '_' or '-' (at most 64 characters)"))

    title = _texts(values.get("title"), spec, "title", problem, required=True)
    description = _texts(values.get("description") or {}, spec, "description", problem)
    kind = values.get("kind")
    if kind and kind not in InterventionKind.values:
        problem(
            "kind",
            _("unknown kind %(kind)s; use one of %(choices)s")
            % {"kind": repr(kind), "choices": ", ".join(InterventionKind.values)},
        )
    channel = values.get("channel")
    if channel and channel not in DeliveryChannel.values:
        problem(
            "channel",
            _("unknown channel %(channel)s; use one of %(choices)s")
            % {"channel": repr(channel), "choices": ", ".join(DeliveryChannel.values)},
        )
    targets = _targets(values.get("targets"), targets_known, problem, csv_format=entry.is_csv)
    cost = _cost(values.get("cost"), problem)
    duration = _duration(values.get("duration_months"), problem)
    prerequisites = _codes(values.get("prerequisites"), "prerequisites", problem)
    exclusions = _codes(values.get("exclusions"), "exclusions", problem)
    active = _boolean(values.get("active", True), problem)
    if len(errors) > before:
        return None
    return InterventionData(
        code=code,
        title=title,
        description=description,
        kind=str(kind),
        channel=str(channel),
        targets=targets,
        cost=cost,
        duration_months=duration,
        prerequisites=prerequisites,
        exclusions=exclusions,
        active=active,
    )


def _texts(
    value: Any, spec: FrameworkSpec, name: str, problem: Any, *, required: bool = False
) -> dict[str, str]:
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        problem(name, _("expected a text per language, e.g. {en: ..., fr: ...}"))
        return {}
    texts = {}
    for language, text in value.items():
        if language not in spec.languages:
            problem(
                name,
                _("language %(language)s is not one of the framework's %(languages)s")
                % {"language": repr(language), "languages": list(spec.languages)},
            )
        elif not isinstance(text, str) or not text.strip():
            problem(
                name, _("the %(language)s text must be non-empty text") % {"language": language}
            )
        else:
            texts[language] = text.strip()
    if required and value and "en" not in value:
        problem(name, _("an English ('en') text is required"))
    return texts


def _targets(value: Any, known: set[str], problem: Any, *, csv_format: bool) -> dict[str, float]:
    if value in (None, "", {}):
        return {}
    pairs: list[tuple[str, Any]] = []
    if csv_format and isinstance(value, str):
        for part in value.split(CSV_LIST_SEPARATOR):
            if not part.strip():
                continue
            target, sign, points = part.partition("=")
            if not sign:
                problem(
                    "targets",
                    _("write each target as CODE=POINTS, got %(part)s")
                    % {"part": repr(part.strip())},
                )
                continue
            pairs.append((target.strip(), points.strip()))
    elif isinstance(value, dict):
        pairs = [(str(key), points) for key, points in value.items()]
    else:
        problem("targets", _("expected a mapping of indicator or pillar code to improvement"))
        return {}
    targets: dict[str, float] = {}
    for target, points in pairs:
        if target not in known:
            problem(
                "targets", _("unknown indicator or pillar code %(code)s") % {"code": repr(target)}
            )
            continue
        number = _number(points)
        if number is None or not 0 < number <= 100:
            problem(
                "targets",
                _(
                    "the improvement of %(code)s must be a number of score points in (0, 100], "
                    "got %(value)s"
                )
                % {"code": target, "value": repr(points)},
            )
            continue
        targets[target] = number
    return targets


def _cost(value: Any, problem: Any) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    if isinstance(value, bool):
        problem("cost", _("expected an amount in USD, got %(value)s") % {"value": repr(value)})
        return Decimal(0)
    try:
        cost = Decimal(str(value).replace(",", "").replace("_", ""))
    except InvalidOperation:
        problem("cost", _("expected an amount in USD, got %(value)s") % {"value": repr(value)})
        return Decimal(0)
    if not cost.is_finite() or cost <= 0:
        problem(
            "cost", _("the cost must be more than zero, got %(value)s") % {"value": repr(value)}
        )
    elif cost > MAX_COST:
        problem(
            "cost",
            _("the cost must be at most %(limit)s USD, got %(value)s")
            % {
                "limit": formats.number_format(MAX_COST, 0, force_grouping=True),
                "value": repr(value),
            },
        )
    return cost.quantize(Decimal("0.01")) if cost.is_finite() else Decimal(0)


def _duration(value: Any, problem: Any) -> int:
    if value in (None, ""):
        return 0
    number = _number(value)
    if number is None or number != int(number) or not 1 <= number <= MAX_DURATION_MONTHS:
        problem(
            "duration_months",
            _("expected a whole number of months from 1 to %(maximum)s, got %(value)s")
            % {"maximum": MAX_DURATION_MONTHS, "value": repr(value)},
        )
        return 0
    return int(number)


def _codes(value: Any, name: str, problem: Any) -> tuple[str, ...]:
    if value in (None, "", []):
        return ()
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        problem(name, _("expected a list of intervention codes"))
        return ()
    return tuple(dict.fromkeys(code.strip() for code in value if code.strip()))


def _boolean(value: Any, problem: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    problem("active", _("expected true or false, got %(value)s") % {"value": repr(value)})
    return True


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _target_codes(spec: FrameworkSpec) -> set[str]:
    return {pillar.code for pillar in spec.pillars} | {ind.code for ind in spec.indicators}


def _prerequisite_cycles(requires: Mapping[str, Sequence[str]]) -> list[str]:
    """One message per prerequisite cycle among the file's interventions."""
    errors: list[str] = []
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(code: str, path: list[str]) -> None:
        state[code] = 1
        for required in requires.get(code, ()):
            if required not in requires:
                continue
            if state.get(required) == 1:
                cycle = path[path.index(required) :] + [required]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    errors.append(
                        _("prerequisites: cycle %(cycle)s") % {"cycle": " → ".join(cycle)}
                    )
            elif required not in state:
                visit(required, path + [required])
        state[code] = 2

    for code in requires:
        if code not in state:
            visit(code, [code])
    return errors
