"""Write a FrameworkSpec back as data or YAML text.

``load → export → load`` gives an equal spec, and exporting that spec again gives the same text
(the export is stable: keys in a fixed order, texts in the framework's language order).

Two shapes are produced:

* **compact** (the default, for files people read): values equal to their documented default
  are left out, e.g. ``weight: 1`` or the built-in yes/partial/no choices;
* **full** (for the JSON ``definition`` stored with a framework in the database): every value
  is written, so a reader of the JSON needs no knowledge of defaults.

Examples
--------
>>> from surveys.frameworks.loader import EXAMPLE, load_framework_text
>>> spec = load_framework_text(EXAMPLE)
>>> text = export_framework_yaml(spec)
>>> load_framework_text(text) == spec
True
>>> export_framework_yaml(load_framework_text(text)) == text
True
"""

from __future__ import annotations

from typing import Any

import yaml

from surveys.frameworks.loader import DEFAULT_STAGES, FORMAT_VERSION, YES_PARTIAL_NO_DEFAULTS
from surveys.frameworks.spec import (
    Aggregation,
    Direction,
    FrameworkSpec,
    IndicatorSpec,
    PillarSpec,
    QuestionSpec,
    QuestionType,
    ScoringSpec,
    SubPillarSpec,
    Transform,
    Translations,
    ZeroRemedy,
)

__all__ = ["export_framework_data", "export_framework_yaml"]


def _number(value: float) -> float | int:
    """Whole numbers as ints, so that files read ``weight: 2`` rather than ``weight: 2.0``."""
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


class _Writer:
    def __init__(self, spec: FrameworkSpec, *, full: bool) -> None:
        self.spec = spec
        self.full = full

    def text(self, texts: Translations) -> dict[str, str]:
        return {language: texts[language] for language in self.spec.languages if language in texts}

    def put(self, target: dict[str, Any], key: str, value: Any, default: Any) -> None:
        """Set ``key`` unless the value equals its default and the export is compact."""
        if self.full or value != default:
            target[key] = _number(value) if isinstance(value, float) else value

    def question(self, question: QuestionSpec) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": question.code,
            "type": str(question.type),
            "text": self.text(question.text),
        }
        self.put(data, "help", self.text(question.help), {})
        self.put(data, "scored", question.scored, question.type.scorable)
        self.put(data, "required", question.required, question.scored)
        if question.scored:
            self.put(data, "weight", question.weight, 1.0)
        self.put(data, "allow_dont_know", question.allow_dont_know, question.scored)
        self.put(data, "allow_not_applicable", question.allow_not_applicable, question.scored)
        self.put(data, "show_if", question.show_if, None)
        if question.type is QuestionType.MATURITY:
            self.maturity(question, data)
        elif question.type.has_choices:
            self.choices(question, data)
        elif question.type.numeric:
            self.numeric(question, data)
        return data

    def maturity(self, question: QuestionSpec, data: dict[str, Any]) -> None:
        lowest, highest = question.levels[0].value, question.levels[-1].value
        self.put(data, "scale", [lowest, highest], [0, 5])
        levels = []
        for index, level in enumerate(question.levels):
            entry: dict[str, Any] = {"level": level.value}
            self.put(entry, "label", self.text(level.label), {})
            entry["descriptor"] = self.text(level.descriptor)
            self.put(entry, "score", level.score, 100.0 * index / (highest - lowest))
            levels.append(entry)
        data["levels"] = levels

    def choices(self, question: QuestionSpec, data: dict[str, Any]) -> None:
        choices = [
            {
                "code": choice.code,
                "label": self.text(choice.label),
                "points": _number(choice.points),
            }
            for choice in question.choices
        ]
        if not question.scored and not self.full:
            for choice in choices:
                if choice["points"] == 0:
                    del choice["points"]
        default_choices = [
            {"code": code, "label": self.text(label), "points": _number(points)}
            for code, label, points in YES_PARTIAL_NO_DEFAULTS
        ]
        if (
            self.full
            or question.type is not QuestionType.YES_PARTIAL_NO
            or (choices != default_choices)
        ):
            data["choices"] = choices
        if question.type is not QuestionType.YES_PARTIAL_NO and question.max_points is not None:
            points = [choice.points for choice in question.choices]
            natural = sum(points) if question.type is QuestionType.MULTIPLE_CHOICE else max(points)
            self.put(data, "max_points", question.max_points, natural)

    def numeric(self, question: QuestionSpec, data: dict[str, Any]) -> None:
        if question.type is QuestionType.NUMBER:
            self.put(data, "unit", self.text(question.unit), {})
            self.put(data, "min", question.minimum, None)
            self.put(data, "max", question.maximum, None)
        normalisation = question.normalisation
        if normalisation is not None:
            entry: dict[str, Any] = {"method": str(normalisation.method)}
            self.put(entry, "lower", normalisation.lower, None)
            self.put(entry, "upper", normalisation.upper, None)
            self.put(entry, "direction", str(normalisation.direction), Direction.HIGHER_IS_BETTER)
            self.put(entry, "transform", str(normalisation.transform), Transform.NONE)
            data["normalisation"] = entry
        official = question.official
        if official is not None:
            link: dict[str, Any] = {
                "source": official.source,
                "indicator": official.indicator,
                "unit": official.unit,
            }
            self.put(link, "factor", official.factor, 1.0)
            data["official"] = link

    def indicator(self, indicator: IndicatorSpec) -> dict[str, Any]:
        data: dict[str, Any] = {"code": indicator.code, "title": self.text(indicator.title)}
        self.put(data, "description", self.text(indicator.description), {})
        self.put(data, "weight", indicator.weight, 1.0)
        self.put(data, "target", indicator.target, self.spec.scoring.target)
        self.put(data, "aggregation", str(indicator.aggregation), Aggregation.ARITHMETIC)
        data["questions"] = [self.question(question) for question in indicator.questions]
        return data

    def sub_pillar(self, sub_pillar: SubPillarSpec) -> dict[str, Any]:
        data: dict[str, Any] = {"code": sub_pillar.code, "title": self.text(sub_pillar.title)}
        self.put(data, "description", self.text(sub_pillar.description), {})
        self.put(data, "weight", sub_pillar.weight, 1.0)
        self.put(data, "aggregation", str(sub_pillar.aggregation), Aggregation.ARITHMETIC)
        data["indicators"] = [self.indicator(indicator) for indicator in sub_pillar.indicators]
        return data

    def pillar(self, pillar: PillarSpec) -> dict[str, Any]:
        data: dict[str, Any] = {"code": pillar.code, "title": self.text(pillar.title)}
        self.put(data, "description", self.text(pillar.description), {})
        self.put(data, "weight", pillar.weight, 1.0)
        self.put(data, "aggregation", str(pillar.aggregation), Aggregation.ARITHMETIC)
        self.put(data, "min_coverage", pillar.min_coverage, self.spec.scoring.min_coverage)
        if pillar.sub_pillars:
            data["sub_pillars"] = [self.sub_pillar(sub) for sub in pillar.sub_pillars]
        else:
            data["indicators"] = [self.indicator(indicator) for indicator in pillar.indicators]
        return data

    def scoring(self, scoring: ScoringSpec) -> dict[str, Any]:
        data: dict[str, Any] = {}
        self.put(data, "dont_know", str(scoring.dont_know), "exclude")
        self.put(data, "aggregation", str(scoring.aggregation), Aggregation.ARITHMETIC)
        self.put(data, "min_coverage", scoring.min_coverage, 2 / 3)
        self.put(data, "target", scoring.target, 100.0)
        # Written only when chosen, even in full exports: stored definitions of frameworks
        # without a remedy stay as they were.
        if scoring.zeros != ZeroRemedy.KEEP:
            data["zeros"] = str(scoring.zeros)
            data["zeros_value"] = _number(scoring.zeros_value)
        stages = []
        for stage in scoring.stages:
            entry: dict[str, Any] = {"code": stage.code, "label": self.text(stage.label)}
            entry["min_score"] = _number(stage.min_score)
            self.put(entry, "description", self.text(stage.description), {})
            stages.append(entry)
        default_stages = [
            {"code": code, "label": self.text(label), "min_score": _number(low)}
            for code, label, low in DEFAULT_STAGES
        ]
        self.put(data, "stages", stages, default_stages)
        return data

    def framework(self) -> dict[str, Any]:
        spec = self.spec
        data: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "code": spec.code,
            "version": spec.version,
            "languages": list(spec.languages),
            "title": self.text(spec.title),
        }
        self.put(data, "description", self.text(spec.description), {})
        self.put(data, "methodology", self.text(spec.methodology), {})
        scoring = self.scoring(spec.scoring)
        if scoring:
            data["scoring"] = scoring
        data["pillars"] = [self.pillar(pillar) for pillar in spec.pillars]
        if spec.mapping is not None:
            mapping: dict[str, Any] = {"from_version": spec.mapping.from_version}
            self.put(mapping, "from_code", spec.mapping.from_code, spec.code)
            self.put(mapping, "questions", dict(spec.mapping.questions), {})
            self.put(mapping, "indicators", dict(spec.mapping.indicators), {})
            data["mapping"] = mapping
        return data


def export_framework_data(spec: FrameworkSpec, *, full: bool = False) -> dict[str, Any]:
    """The spec as plain data (dicts, lists, strings, numbers) that ``load_framework_data`` reads.

    With ``full=True`` every value is written, defaults included (used for the stored JSON).
    """
    return _Writer(spec, full=full).framework()


class _Dumper(yaml.SafeDumper):
    # The loader refuses aliases, and shared sub-objects are an accident of construction.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_text)


def export_framework_yaml(spec: FrameworkSpec, *, full: bool = False) -> str:
    """The spec as YAML text, stable from one export to the next."""
    header = (
        f"# Framework {spec.code} version {spec.version}.\n"
        "# Format: docs/framework-format.md. Load with: manage.py load_framework FILE\n"
    )
    body = yaml.dump(
        export_framework_data(spec, full=full),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + body
