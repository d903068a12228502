"""Store validated frameworks in the database, and read them back across versions.

This is the Django side of the frameworks package (the rest of the package has no Django).
``framework_load`` writes a spec and its browsing rows in one transaction and refuses to change
the structure of a published (code, version): published frameworks are immutable, changes make a
new version. Only their texts may change (a translation added or corrected): the questions,
codes, weights, scoring, targets and options, on which answers and scores rest, stay as they were.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from surveys.audit import Change, audit_record
from surveys.frameworks.export import export_framework_data
from surveys.frameworks.mapping import map_answers_between_versions
from surveys.frameworks.reading import FrameworkError, FrameworkIssue
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Framework, FrameworkStatus
from surveys.models.frameworks import Indicator, Pillar, Question, SubPillar

__all__ = [
    "FrameworkImmutableError",
    "LoadResult",
    "definition_digest",
    "framework_answers_map",
    "framework_load",
    "framework_publish",
    "framework_retire",
    "framework_version_chain",
    "translation_only_change",
]

Value = TypeVar("Value")
MAX_CHAIN = 50


class FrameworkImmutableError(ValueError):
    """An attempt to change a published or retired framework version."""


@dataclass(frozen=True)
class LoadResult:
    framework: Framework
    created: bool
    changed: bool
    message: str


def definition_digest(definition: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a definition: equal content, equal digest."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_mapping_against_stored_version(spec: FrameworkSpec) -> None:
    """Old codes named in the mapping must exist in the earlier version, when it is loaded."""
    mapping = spec.mapping
    if mapping is None:
        return
    earlier = Framework.objects.filter(code=mapping.from_code, version=mapping.from_version).first()
    if earlier is None or not earlier.definition:
        return
    earlier_spec = earlier.spec
    issues = [
        FrameworkIssue(
            f"mapping.questions.{old}",
            f"{old!r} is not a question of {earlier.code} {earlier.version}",
        )
        for old in mapping.questions
        if old not in earlier_spec.questions_by_code
    ]
    issues += [
        FrameworkIssue(
            f"mapping.indicators.{old}",
            f"{old!r} is not an indicator of {earlier.code} {earlier.version}",
        )
        for old in mapping.indicators
        if old not in earlier_spec.indicators_by_code
    ]
    if issues:
        raise FrameworkError(issues)


def _same_content(framework: Framework, spec: FrameworkSpec) -> bool:
    try:
        return framework.spec == spec
    except FrameworkError:
        return False


def _write_rows(framework: Framework, spec: FrameworkSpec) -> None:
    framework.pillars.all().delete()  # cascades to sub-pillars, indicators and questions
    pillars: dict[str, Pillar] = {}
    sub_pillars: dict[str, SubPillar] = {}
    for order, pillar in enumerate(spec.pillars):
        pillars[pillar.code] = Pillar(
            framework=framework,
            code=pillar.code,
            order=order,
            title=dict(pillar.title),
            description=dict(pillar.description),
            weight=pillar.weight,
            min_coverage=pillar.min_coverage,
        )
    Pillar.objects.bulk_create(pillars.values())
    sub_order = 0
    for pillar in spec.pillars:
        for sub in pillar.sub_pillars:
            sub_pillars[sub.code] = SubPillar(
                framework=framework,
                pillar=pillars[pillar.code],
                code=sub.code,
                order=sub_order,
                title=dict(sub.title),
                weight=sub.weight,
            )
            sub_order += 1
    SubPillar.objects.bulk_create(sub_pillars.values())
    indicators: dict[str, Indicator] = {}
    for order, (pillar, sub, indicator) in enumerate(spec.iter_indicators_with_parents()):
        indicators[indicator.code] = Indicator(
            framework=framework,
            pillar=pillars[pillar.code],
            sub_pillar=sub_pillars[sub.code] if sub else None,
            code=indicator.code,
            order=order,
            title=dict(indicator.title),
            weight=indicator.weight,
            target=indicator.target,
            aggregation=str(indicator.aggregation),
        )
    Indicator.objects.bulk_create(indicators.values())
    questions = []
    order = 0
    for pillar, _sub, indicator in spec.iter_indicators_with_parents():
        for question in indicator.questions:
            questions.append(
                Question(
                    framework=framework,
                    pillar=pillars[pillar.code],
                    indicator=indicators[indicator.code],
                    code=question.code,
                    order=order,
                    type=str(question.type),
                    text=dict(question.text),
                    scored=question.scored,
                    required=question.required,
                    weight=question.weight,
                    show_if=question.show_if or "",
                )
            )
            order += 1
    Question.objects.bulk_create(questions)


def _text_fields(node: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every text of a spec node as (path, {language: text}), e.g. ``pillars[CON].title``.

    A text is a field annotated ``Translations`` (see spec.py); children are named by their
    code, or level value, so that the same element has the same path in two versions.
    """
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        here = f"{path}.{field.name}" if path else field.name
        if field.type == "Translations":
            yield here, value
        elif dataclasses.is_dataclass(value):
            yield from _text_fields(value, here)
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    name = getattr(item, "code", None) or getattr(item, "value", index)
                    yield from _text_fields(item, f"{here}[{name}]")


def _without_texts(node: Any) -> Any:
    """The node with every text emptied (and, for the framework, no languages): its structure."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if field.type == "Translations":
            changes[field.name] = {}
        elif isinstance(node, FrameworkSpec) and field.name == "languages":
            changes[field.name] = ()
        elif dataclasses.is_dataclass(value):
            changes[field.name] = _without_texts(value)
        elif isinstance(value, tuple) and any(dataclasses.is_dataclass(item) for item in value):
            changes[field.name] = tuple(_without_texts(item) for item in value)
    return dataclasses.replace(node, **changes)


def translation_only_change(
    old: FrameworkSpec, new: FrameworkSpec, *, state: str = FrameworkStatus.PUBLISHED
) -> list[str]:
    """Paths of the texts ``new`` changes in ``old``, when nothing but texts changed.

    Returns an empty list when the two are identical. Raises FrameworkImmutableError when
    anything else differs (a code, weight, target, option, scoring rule, condition, ...) or when
    ``new`` drops one of ``old``'s languages: assessments may be answered in it.
    """
    if _without_texts(old) != _without_texts(new):
        raise FrameworkImmutableError(
            f"{new.code} {new.version} is {state} and cannot change; give the changed framework "
            "a new version (and a mapping from this one)"
        )
    dropped = [language for language in old.languages if language not in new.languages]
    if dropped:
        raise FrameworkImmutableError(
            f"{new.code} {new.version} cannot drop its language(s) {', '.join(dropped)}: "
            "a published version may gain languages and corrected texts, never lose a language"
        )
    before = dict(_text_fields(old))
    return [path for path, texts in _text_fields(new) if dict(before[path]) != dict(texts)]


def _rewrite_texts(framework: Framework, spec: FrameworkSpec) -> None:
    """Copy the texts of ``spec`` onto the browsing rows of ``framework``, keeping the rows.

    The rows are updated, not recreated as for drafts: answers, evidence and plans of existing
    assessments refer to them.
    """
    pillars = {pillar.code: pillar for pillar in spec.pillars}
    subs = {sub.code: sub for pillar in spec.pillars for sub in pillar.sub_pillars}
    rows = list(framework.pillars.all())
    for row in rows:
        row.title = dict(pillars[row.code].title)
        row.description = dict(pillars[row.code].description)
    Pillar.objects.bulk_update(rows, ["title", "description"])
    sub_rows = list(SubPillar.objects.filter(framework=framework))
    for sub_row in sub_rows:
        sub_row.title = dict(subs[sub_row.code].title)
    SubPillar.objects.bulk_update(sub_rows, ["title"])
    indicator_rows = list(Indicator.objects.filter(framework=framework))
    for indicator_row in indicator_rows:
        indicator_row.title = dict(spec.indicators_by_code[indicator_row.code].title)
    Indicator.objects.bulk_update(indicator_rows, ["title"])
    question_rows = list(Question.objects.filter(framework=framework))
    for question_row in question_rows:
        question_row.text = dict(spec.questions_by_code[question_row.code].text)
    Question.objects.bulk_update(question_rows, ["text"])


def _load_translations(
    framework: Framework,
    spec: FrameworkSpec,
    definition: dict[str, Any],
    digest: str,
    *,
    actor: AbstractBaseUser | None,
    actor_label: str,
) -> LoadResult:
    """Store the new texts of an immutable version (inside framework_load's transaction)."""
    try:
        old = framework.spec
    except FrameworkError as error:
        raise FrameworkImmutableError(
            f"{spec.code} {spec.version} is {framework.status} and its stored definition cannot "
            "be read; give the changed framework a new version"
        ) from error
    changed = translation_only_change(old, spec, state=framework.status)
    old_languages = list(framework.languages)
    framework.title = dict(spec.title)
    framework.description = dict(spec.description)
    framework.methodology = dict(spec.methodology)
    framework.languages = list(spec.languages)
    framework.definition = definition
    old_digest, framework.definition_digest = framework.definition_digest, digest
    framework.save(
        update_fields=[
            "title",
            "description",
            "methodology",
            "languages",
            "definition",
            "definition_digest",
        ]
    )
    framework.__dict__.pop("spec", None)
    _rewrite_texts(framework, spec)
    audit_record(
        assessment=None,
        actor=actor,
        actor_label=actor_label,
        changes=[
            Change(
                object_type="framework",
                object_ref=f"{spec.code} {spec.version}",
                field="texts",
                old_value={"languages": old_languages, "digest": old_digest},
                new_value={"languages": list(spec.languages), "digest": digest, "texts": changed},
                action="translate",
            )
        ],
    )
    added = [language for language in spec.languages if language not in old_languages]
    return LoadResult(
        framework,
        created=False,
        changed=True,
        message=(
            f"{spec.code} {spec.version} is {framework.status}: texts updated "
            f"({len(changed)} changed"
            + (f", language(s) added: {', '.join(added)}" if added else "")
            + "); structure, codes, weights and scoring unchanged"
        ),
    )


def framework_load(
    spec: FrameworkSpec,
    *,
    publish: bool,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "load_framework",
) -> LoadResult:
    """Store ``spec`` as framework (code, version), with its rows, in one transaction.

    * new (code, version): created as a draft, or published when ``publish``;
    * existing draft: replaced by ``spec`` (and published when ``publish``);
    * existing published or retired version with identical content: nothing changes
      (loading the same file twice is harmless);
    * existing published or retired version whose texts alone differ (a language added, a
      translation corrected): the texts are updated in place and an audit event records it;
    * existing published or retired version with any other difference: FrameworkImmutableError,
      nothing written.

    Raises
    ------
    FrameworkImmutableError
        When the change would alter the structure of a published or retired version.
    FrameworkError
        When the mapping names codes that the earlier, stored version does not have.
    """
    definition = export_framework_data(spec, full=True)
    digest = definition_digest(definition)
    with transaction.atomic():
        framework = (
            Framework.objects.select_for_update()
            .filter(code=spec.code, version=spec.version)
            .first()
        )
        if framework is not None and framework.is_immutable:
            # Compare content, not only digests, so that a newer exporter writing the same
            # framework differently is not mistaken for a change.
            if framework.definition_digest != digest and not _same_content(framework, spec):
                return _load_translations(
                    framework, spec, definition, digest, actor=actor, actor_label=actor_label
                )
            return LoadResult(
                framework,
                created=False,
                changed=False,
                message=(
                    f"{spec.code} {spec.version} is already {framework.status} with identical "
                    "content; nothing changed"
                ),
            )
        _check_mapping_against_stored_version(spec)
        created = framework is None
        if framework is None:
            framework = Framework(code=spec.code, version=spec.version)
        framework.title = dict(spec.title)
        framework.description = dict(spec.description)
        framework.methodology = dict(spec.methodology)
        framework.languages = list(spec.languages)
        framework.definition = definition
        framework.definition_digest = digest
        if publish:
            framework.status = FrameworkStatus.PUBLISHED
            framework.published_at = timezone.now()
        framework.save()
        framework.__dict__.pop("spec", None)
        _write_rows(framework, spec)
    verb = "created" if created else "replaced draft"
    state = "published" if publish else "draft"
    return LoadResult(
        framework,
        created=created,
        changed=True,
        message=(
            f"{verb} {spec.code} {spec.version} ({state}): {len(spec.pillars)} pillars, "
            f"{len(spec.indicators)} indicators, {len(spec.questions)} questions"
        ),
    )


def framework_publish(*, framework: Framework) -> Framework:
    """Publish a draft; from then on it never changes."""
    with transaction.atomic():
        framework = Framework.objects.select_for_update().get(pk=framework.pk)
        if framework.status != FrameworkStatus.DRAFT:
            raise FrameworkImmutableError(f"{framework} is {framework.status}, not a draft")
        framework.status = FrameworkStatus.PUBLISHED
        framework.published_at = timezone.now()
        framework.save(update_fields=["status", "published_at"])
    return framework


def framework_retire(*, framework: Framework) -> Framework:
    """Retire a published version: kept for the assessments that use it, offered to no new one."""
    with transaction.atomic():
        framework = Framework.objects.select_for_update().get(pk=framework.pk)
        if framework.status != FrameworkStatus.PUBLISHED:
            raise FrameworkImmutableError(f"only published frameworks can be retired: {framework}")
        framework.status = FrameworkStatus.RETIRED
        framework.save(update_fields=["status"])
    return framework


def _walk_back(start: Framework, stop: Framework) -> list[Framework] | None:
    """Versions from ``start`` back to ``stop`` following declared mappings, or None."""
    chain = [start]
    current = start
    for _ in range(MAX_CHAIN):
        if current.pk == stop.pk:
            return chain
        mapping = current.spec.mapping
        if mapping is None:
            return None
        earlier = Framework.objects.filter(
            code=mapping.from_code, version=mapping.from_version
        ).first()
        if earlier is None or any(seen.pk == earlier.pk for seen in chain):
            return None
        chain.append(earlier)
        current = earlier
    return None


def framework_version_chain(*, source: Framework, target: Framework) -> list[FrameworkSpec]:
    """Specs from ``source`` to ``target`` through the declared mappings, both ends included.

    Raises ValueError when no chain of mappings links the two versions.
    """
    backwards = _walk_back(target, source)
    if backwards is not None:
        return [framework.spec for framework in reversed(backwards)]
    forwards = _walk_back(source, target)
    if forwards is not None:
        return [framework.spec for framework in forwards]
    raise ValueError(f"no chain of declared mappings links {source} and {target}")


def framework_answers_map(
    answers: Mapping[str, Value], *, source: Framework, target: Framework
) -> dict[str, Value]:
    """Answers to ``source`` re-keyed for ``target``; see mapping.map_answers_between_versions."""
    chain = framework_version_chain(source=source, target=target)
    if len(chain) == 1:
        return dict(answers)
    return map_answers_between_versions(
        answers, source=chain[0], target=chain[-1], intermediates=chain[1:-1]
    )
