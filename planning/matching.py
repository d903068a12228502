"""Demand for training from a round's approved assessments, and the plan that meets it.

"Fetch, then compute": :func:`round_snapshots` reads the approved assessments of a round with
their latest complete score run; :func:`round_demand` turns their gaps into demand cells;
:func:`matching_plan` hands cells and offers to :func:`scoring.engine.matching.match_offers`
and names the result for the pages.

Demand rule (docs/offers.md, "Demand")
--------------------------------------
For each indicator with a gap ``g > 0`` (target minus score, in score points) a country wants
``round(p × g)`` participants, where ``p`` is the country's *participants per gap point*
(``DemandRule``, default 1). They are split between the country's languages by the rule's
shares (largest remainders, so the total is kept; default: all in English) and ask for the
rule's delivery mode (default: any mode). Indicators without a score are left out: their gap
is unknown, not zero. All of it is wanted in one period (year 1).

With ``source="portfolio"`` demand follows each country's chosen portfolio instead: the
interventions the planner's portfolio optimisation selects under ``portfolio_budget`` (the same
choice as the demand page, :func:`planning.services._selected_codes`). Each selected intervention
wants ``round(p × points)`` participants for every indicator it improves, ``points`` being its
expected improvement in score points (the catalogue's ``targets``, a pillar meaning each of its
indicators), split between languages and given a mode by the same rule; they are spread evenly
(largest remainders) over the years the intervention lasts, ``ceil(duration_months / 12)``
periods starting with year 1. An offer's seats are per year, so each period has its own seats;
a budget per country covers all periods.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.models import DeliveryMode, DemandRule, Offer
from planning.offers import expand_topics
from planning.services import (
    PlanningError,
    ScoreSnapshot,
    ScoreValues,
    _gap_samples,
    _selected_codes,
    _snapshot,
    active_interventions,
    expand_targets,
)
from scoring.engine.matching import ANY_MODE, MatchingResult, match_greedy, match_offers
from scoring.models import RunStatus, Score, ScoreLevel
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Assessment, AssessmentState, Framework, ItuRegion

DEFAULT_LANGUAGES = {"en": 1.0}
SOURCES = ("gaps", "portfolio")
# Each sample solves the plan once more; ten give shares in steps of 10 % at a tenth of a
# second for the demo round (the country page's 40 would take four times as long).
ROBUSTNESS_SAMPLES = 10
MODES = tuple(DeliveryMode.values)
EMPTY_CATALOGUE = gettext_lazy(
    "The offer catalogue has no active offer: load one with manage.py load_offers."
)
REASON_LABELS = {
    "no_offer": gettext_lazy("No compatible offer"),
    "budget": gettext_lazy("Budget spent"),
    "seats": gettext_lazy("Seats full"),
}


@dataclass(frozen=True)
class DemandCell:
    country: str
    country_name: str
    region: str
    indicator: str
    indicator_title: str
    pillar: str
    language: str
    mode: str
    participants: int
    period: int = 1
    intervention: str = ""


@dataclass(frozen=True)
class Placement:
    country: str
    country_name: str
    region: str
    indicator: str
    language: str
    offer: str
    offer_title: str
    provider: str
    provider_name: str
    participants: float
    cost: float
    period: int = 1
    frequency: float | None = None


@dataclass(frozen=True)
class UnmetRow:
    region: str
    indicator: str
    indicator_title: str
    language: str
    participants: float
    reason: str
    period: int = 1

    @property
    def region_label(self) -> str:
        """The ITU region in the active language; CSV keeps the code."""
        return str(dict(ItuRegion.choices).get(self.region, self.region))

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS[self.reason])


@dataclass(frozen=True)
class ProviderUse:
    code: str
    name: str
    region: str
    sample: bool
    seats: int
    used: float

    @property
    def region_label(self) -> str:
        return str(dict(ItuRegion.choices).get(self.region, self.region))

    @property
    def utilisation(self) -> float | None:
        return self.used / self.seats if self.seats else None


@dataclass(frozen=True)
class MatchingPlan:
    round: int
    framework_code: str
    countries: int
    demand: int
    placed: float
    unmet: float
    cost: float
    other_region: float
    placements: tuple[Placement, ...]
    unmet_rows: tuple[UnmetRow, ...]
    providers: tuple[ProviderUse, ...]
    binding: tuple[str, ...]
    greedy_cost: float
    greedy_unmet: float
    source: str = "gaps"
    periods: int = 1
    samples: int = 0


def round_snapshots(
    *,
    round_: int,
    framework_code: str,
    region: str = "",
    language: str = "en",
    countries: Sequence[str] | None = None,
) -> list[ScoreSnapshot]:
    """Approved assessments of a round with their latest complete run (four queries).

    ``countries`` (alpha-3 codes), when given, keeps only those countries: a report shows
    the plan of the countries its reader may see.
    """
    assessments = Assessment.objects.filter(
        round=round_,
        framework__code=framework_code,
        state=AssessmentState.APPROVED,
        # Every run writes one overall row per assessment it scores: 200 rows to group for
        # 200 countries instead of every level's 12,000.
        scores__run__status=RunStatus.COMPLETE,
        scores__level=ScoreLevel.OVERALL,
    )
    if countries is not None:
        assessments = assessments.filter(country__alpha3__in=list(countries))
    if region:
        assessments = assessments.filter(country__itu_region=region)
    latest = dict(
        assessments.values("pk").annotate(run=Max("scores__run")).values_list("pk", "run")
    )
    found = list(Assessment.objects.filter(pk__in=latest).select_related("country"))
    # One instance per framework, so its definition is decoded and its spec built once (not
    # once per country, as select_related would).
    frameworks = Framework.objects.in_bulk({a.framework_id for a in found})
    for assessment in found:
        assessment.framework = frameworks[assessment.framework_id]
    rows: dict[int, list[ScoreValues]] = defaultdict(list)
    # Plain tuples of the columns the plan reads: Score instances decode each row's
    # explanation JSON (1.5 s of the regional dashboard's first view for 200 countries).
    wanted = Score.objects.filter(
        run_id__in=set(latest.values()),
        assessment_id__in=list(latest),
        level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR, ScoreLevel.INDICATOR],
    ).values_list(*ScoreValues._fields)
    for values in wanted:
        score = ScoreValues._make(values)
        if latest[score.assessment_id] == score.run_id:
            rows[score.assessment_id].append(score)
    snapshots = [_snapshot(a, rows[a.pk], language, run_id=latest[a.pk], seed=None) for a in found]
    return sorted(snapshots, key=lambda snap: snap.country.name)


def split_by_share(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Whole participants per language, in proportion to ``shares``, adding up to ``total``.

    Largest-remainder (Hamilton) apportionment.

    Examples
    --------
    >>> split_by_share(10, {"fr": 0.7, "en": 0.3})
    {'fr': 7, 'en': 3}
    >>> split_by_share(5, {"a": 1, "b": 1})
    {'a': 3, 'b': 2}
    """
    weight = sum(shares.values())
    exact = {key: total * share / weight for key, share in shares.items()}
    whole = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(whole.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - whole[k]), list(shares).index(k)))[:left]:
        whole[key] += 1
    return whole


def round_demand(snapshots: Sequence[ScoreSnapshot]) -> list[DemandCell]:
    """Demand cells of the countries (rule in the module docstring)."""
    rules = {
        rule.country_id: rule
        for rule in DemandRule.objects.filter(country__in=[s.country for s in snapshots])
    }
    cells = []
    for snap in snapshots:
        rule = rules.get(snap.country.pk)
        shares = (rule.languages if rule else None) or DEFAULT_LANGUAGES
        per_point = float(rule.participants_per_point) if rule else 1.0
        mode = rule.mode if rule else ""
        for ind in snap.indicators:
            if ind.gap is None or ind.gap <= 0:
                continue
            wanted = round(per_point * ind.gap)
            for lang, participants in split_by_share(wanted, shares).items():
                if participants > 0:
                    cells.append(
                        DemandCell(
                            country=snap.country.alpha3,
                            country_name=snap.country.display_name,
                            region=snap.country.itu_region or "",
                            indicator=ind.code,
                            indicator_title=ind.title,
                            pillar=ind.pillar_code,
                            language=lang,
                            mode=mode,
                            participants=participants,
                        )
                    )
    return cells


@dataclass(frozen=True)
class MatchingParameters:
    """What the planner asks of a matching plan (the page's filters, the API's query).

    ``topic`` (indicator or pillar code), ``language`` and ``mode`` narrow the demand;
    ``budget_per_country`` (USD, ``None`` for no limit) caps each country's spend;
    ``prefer_same_region`` makes a provider of another region cost the largest offer price
    more per participant in the objective, so it is used only when no home offer can serve;
    ``ui_language`` names offers and indicators; ``source`` is ``"gaps"`` or ``"portfolio"``
    (each country's chosen portfolio under ``portfolio_budget`` USD, module docstring).
    """

    round_: int
    framework_code: str
    region: str = ""
    topic: str = ""
    language: str = ""
    mode: str = ""
    budget_per_country: float | None = None
    prefer_same_region: bool = False
    ui_language: str = "en"
    source: str = "gaps"
    portfolio_budget: float | None = None
    samples: int = ROBUSTNESS_SAMPLES
    countries: tuple[str, ...] | None = None


def portfolio_demand(snapshots: Sequence[ScoreSnapshot], *, budget: float) -> list[DemandCell]:
    """Demand cells of the countries' chosen portfolios (rule in the module docstring).

    Raises
    ------
    PlanningError
        An empty intervention catalogue, or a portfolio that cannot be computed.
    """
    if not snapshots:
        return []
    spec = snapshots[0].spec
    interventions = active_interventions(spec.code)
    if not interventions:
        raise PlanningError(
            _(
                "The intervention catalogue of framework %(framework)s is empty: load one with "
                "manage.py load_catalogue or add interventions in the administration."
            )
            % {"framework": spec.code}
        )
    by_code = {item.code: item for item in interventions}
    rules = {
        rule.country_id: rule
        for rule in DemandRule.objects.filter(country__in=[s.country for s in snapshots])
    }
    cells = []
    for snap in snapshots:
        rule = rules.get(snap.country.pk)
        shares = (rule.languages if rule else None) or DEFAULT_LANGUAGES
        per_point = float(rule.participants_per_point) if rule else 1.0
        mode = rule.mode if rule else ""
        titles = {ind.code: ind.title for ind in snap.indicators}
        pillars = {ind.code: ind.pillar_code for ind in snap.indicators}
        for code in _selected_codes(snap, interventions, budget, None):
            item = by_code[code]
            years = max(1, math.ceil(item.duration_months / 12))
            for indicator, points in sorted(expand_targets(item.targets, spec).items()):
                if indicator not in titles:
                    continue
                wanted = round(per_point * float(points))
                for lang, participants in split_by_share(wanted, shares).items():
                    per_year = split_by_share(participants, dict.fromkeys(range(1, years + 1), 1))
                    for period, count in per_year.items():
                        if count > 0:
                            cells.append(
                                DemandCell(
                                    country=snap.country.alpha3,
                                    country_name=snap.country.display_name,
                                    region=snap.country.itu_region or "",
                                    indicator=indicator,
                                    indicator_title=titles[indicator],
                                    pillar=pillars[indicator],
                                    language=lang,
                                    mode=mode,
                                    participants=count,
                                    period=period,
                                    intervention=code,
                                )
                            )
    return cells


def matching_plan(parameters: MatchingParameters) -> MatchingPlan:
    """The least-cost plan meeting the most of a round's demand with the active offers.

    Raises
    ------
    PlanningError
        No approved assessment with scores in the round, an empty catalogue, a budget of zero.
    """
    wanted = parameters
    if wanted.budget_per_country is not None and not wanted.budget_per_country > 0:
        raise PlanningError(
            _("The budget per country must be more than zero USD (leave it empty for no limit).")
        )
    if wanted.source not in SOURCES:
        raise PlanningError(
            _("Unknown demand source %(source)s.") % {"source": repr(wanted.source)}
        )
    portfolio_budget = wanted.portfolio_budget or 0.0
    if wanted.source == "portfolio" and not portfolio_budget > 0:
        raise PlanningError(
            _(
                "Demand from the chosen portfolio needs the portfolio budget per country, more "
                "than zero USD."
            )
        )
    if wanted.region and wanted.region not in ItuRegion.values:
        raise PlanningError(_("Unknown ITU region %(region)s.") % {"region": repr(wanted.region)})
    snapshots = round_snapshots(
        round_=wanted.round_,
        framework_code=wanted.framework_code,
        region=wanted.region,
        language=wanted.ui_language,
        countries=wanted.countries,
    )
    if not snapshots:
        raise PlanningError(
            _("No approved assessment of round %(round)s has scores yet: there is no demand.")
            % {"round": wanted.round_}
        )
    offers = list(
        Offer.objects.filter(
            framework_code=wanted.framework_code, active=True, provider__active=True
        ).select_related("provider")
    )
    if not offers:
        raise PlanningError(str(EMPTY_CATALOGUE))
    spec = snapshots[0].spec
    if wanted.source == "portfolio":
        cells = portfolio_demand(snapshots, budget=portfolio_budget)
    else:
        cells = round_demand(snapshots)
    if wanted.topic:
        topics = expand_topics([wanted.topic], spec)
        cells = [cell for cell in cells if cell.indicator in topics]
    if wanted.language:
        cells = [cell for cell in cells if cell.language == wanted.language]
    if wanted.mode:
        cells = [cell for cell in cells if cell.mode in ("", wanted.mode)]
    return _solve(wanted, snapshots, cells, offers, spec)


@dataclass(frozen=True)
class _EngineInput:
    """The engine's arguments for a list of cells, and how to read its answer back.

    Each offer is repeated once per period (its seats are per year) and a cell's topic is
    numbered with its period, so that a cell only meets the offers of its own period.
    """

    arguments: dict[str, Any]
    countries: dict[str, int]
    periods: int
    penalty: float


def _engine_input(
    parameters: MatchingParameters,
    cells: Sequence[DemandCell],
    offers: Sequence[Offer],
    spec: FrameworkSpec,
) -> _EngineInput:
    periods = max((cell.period for cell in cells), default=1)
    topics = {code: index for index, code in enumerate(ind.code for ind in spec.indicators)}
    languages: dict[str, int] = {}
    regions = {code: index for index, code in enumerate(ItuRegion.values)}
    countries = {code: index for index, code in enumerate(sorted({c.country for c in cells}))}
    modes = {code: index for index, code in enumerate(MODES)}

    def language_id(code: str) -> int:
        return languages.setdefault(code, len(languages))

    # A mode filter on the page asks for that mode even where the country's rule says "any".
    mode_filter = parameters.mode
    demand_mode = [
        modes[cell.mode or mode_filter] if (cell.mode or mode_filter) else ANY_MODE
        for cell in cells
    ]
    offer_topics = [
        [topics[code] for code in expand_topics(offer.topics, spec) if code in topics]
        for offer in offers
    ]
    offer_languages = [[language_id(code) for code in offer.languages] for offer in offers]
    arguments: dict[str, Any] = {
        "demand": [cell.participants for cell in cells],
        "demand_topic": [topics[cell.indicator] * periods + cell.period - 1 for cell in cells],
        "demand_language": [language_id(cell.language) for cell in cells],
        "demand_mode": demand_mode,
        "demand_region": [regions.get(cell.region, -1) for cell in cells],
        "offer_seats": [offer.seats for offer in offers] * periods,
        "offer_cost": [float(offer.cost) for offer in offers] * periods,
        "offer_topics": [
            [topic * periods + period for topic in covered]
            for period in range(periods)
            for covered in offer_topics
        ],
        "offer_languages": offer_languages * periods,
        "offer_mode": [modes[offer.mode] for offer in offers] * periods,
        "offer_region": [regions.get(offer.provider.region, -2) for offer in offers] * periods,
    }
    if parameters.budget_per_country is not None:
        arguments["demand_group"] = [countries[cell.country] for cell in cells]
        arguments["group_budgets"] = [float(parameters.budget_per_country)] * max(1, len(countries))
    penalty = (
        max((float(o.cost) for o in offers), default=0.0) + 1.0
        if parameters.prefer_same_region
        else 0.0
    )
    return _EngineInput(arguments, countries, periods, penalty)


def _solve(
    parameters: MatchingParameters,
    snapshots: Sequence[ScoreSnapshot],
    cells: Sequence[DemandCell],
    offers: Sequence[Offer],
    spec: FrameworkSpec,
) -> MatchingPlan:
    ui_language = parameters.ui_language
    engine = _engine_input(parameters, cells, offers, spec)
    n_offers = len(offers)
    result = match_offers(**engine.arguments, other_region_penalty=engine.penalty)
    greedy = match_greedy(**engine.arguments, other_region_penalty=engine.penalty)
    frequency = (
        _robustness(parameters, snapshots, cells, engine, result)
        if parameters.source == "gaps" and parameters.samples
        else {}
    )
    placements = []
    for c, k, amount in zip(result.pair_cell, result.pair_offer, result.pair_amount, strict=True):
        offer = offers[k % n_offers]
        placements.append(
            Placement(
                country=cells[c].country,
                country_name=cells[c].country_name,
                region=cells[c].region,
                indicator=cells[c].indicator,
                language=cells[c].language,
                offer=offer.code,
                offer_title=offer.title_in(ui_language),
                provider=offer.provider.code,
                provider_name=offer.provider.name,
                participants=float(amount),
                cost=float(amount) * float(offer.cost),
                period=cells[c].period,
                frequency=frequency.get((int(c), int(k))),
            )
        )
    unmet: dict[tuple[str, str, str, int, str], float] = defaultdict(float)
    titles = {cell.indicator: cell.indicator_title for cell in cells}
    for index, cell in enumerate(cells):
        if result.unmet[index] > 0:
            key = (cell.region, cell.indicator, cell.language, cell.period, result.reason[index])
            unmet[key] += float(result.unmet[index])
    unmet_rows = tuple(
        UnmetRow(region, indicator, titles[indicator], lang, amount, reason, period)
        for (region, indicator, lang, period, reason), amount in sorted(unmet.items())
    )
    used: dict[str, list[float]] = {}
    for index, offer in enumerate(offers):
        seats_used = used.setdefault(offer.provider.code, [0.0, 0.0])
        seats_used[0] += offer.seats * engine.periods
        seats_used[1] += float(result.offer_used[index::n_offers].sum())
    by_code = {offer.provider.code: offer.provider for offer in offers}
    providers = tuple(
        ProviderUse(
            code,
            by_code[code].name,
            by_code[code].region,
            by_code[code].sample,
            int(seats),
            used_seats,
        )
        for code, (seats, used_seats) in sorted(used.items())
    )
    binding = []
    full = [
        offers[k % n_offers].code
        + (f" ({_('year')} {k // n_offers + 1})" if engine.periods > 1 else "")
        for k in np.flatnonzero(result.seats_binding)
    ]
    if full:
        binding.append(_("Seats are full on %(offers)s.") % {"offers": ", ".join(full)})
    if parameters.budget_per_country is not None and result.budget_binding.any():
        spent = [code for code, index in engine.countries.items() if result.budget_binding[index]]
        binding.append(_("The budget is spent in %(countries)s.") % {"countries": ", ".join(spent)})
    if "no_offer" in result.reason:
        binding.append(_("Some demand has no offer in its topic, language and mode."))
    return MatchingPlan(
        round=parameters.round_,
        framework_code=parameters.framework_code,
        countries=len(snapshots),
        demand=int(sum(cell.participants for cell in cells)),
        placed=float(result.met.sum()),
        unmet=result.total_unmet,
        cost=result.total_cost,
        other_region=result.other_region,
        placements=tuple(placements),
        unmet_rows=unmet_rows,
        providers=providers,
        binding=tuple(binding),
        greedy_cost=greedy.total_cost,
        greedy_unmet=greedy.total_unmet,
        source=parameters.source,
        periods=engine.periods,
        samples=parameters.samples if frequency else 0,
    )


def _robustness(
    parameters: MatchingParameters,
    snapshots: Sequence[ScoreSnapshot],
    cells: Sequence[DemandCell],
    engine: _EngineInput,
    nominal: MatchingResult,
) -> dict[tuple[int, int], float]:
    """Share of score samples in which each (cell, offer) pair of the plan is still used.

    The gaps are drawn as the planner's country page draws them
    (:func:`planning.services._gap_samples`: normal approximations of the stored 5-95 %
    intervals, seeded); each sample's gaps become demand by the same rule, the plan is solved
    again with the same offers, seats and budgets, and a pair holds when it still places
    someone. The plan's cells are kept (a cell whose sampled gap closes wants nobody), so
    demand that is new in a sample is not counted. Countries without intervals keep their
    demand in every sample.
    """
    samples = parameters.samples
    rules = {
        rule.country_id: rule
        for rule in DemandRule.objects.filter(country__in=[s.country for s in snapshots])
    }
    # Per cell: its country's sampled gaps (samples × indicators) and its share of them.
    drawn: dict[str, tuple[np.ndarray | None, dict[str, int], float, dict[str, float]]] = {}
    for snap in snapshots:
        rule = rules.get(snap.country.pk)
        gaps = _gap_samples(snap, samples, None)
        drawn[snap.country.alpha3] = (
            gaps,
            {ind.code: index for index, ind in enumerate(snap.indicators)},
            float(rule.participants_per_point) if rule else 1.0,
            (rule.languages if rule else None) or DEFAULT_LANGUAGES,
        )
    demand = np.tile(np.asarray(engine.arguments["demand"], dtype=float), (samples, 1))
    for index, cell in enumerate(cells):
        gaps, position, per_point, shares = drawn[cell.country]
        if gaps is None:
            continue
        for sample in range(samples):
            wanted = round(per_point * float(gaps[sample, position[cell.indicator]]))
            demand[sample, index] = split_by_share(wanted, shares).get(cell.language, 0)
    nominal_pairs = set(zip(nominal.pair_cell.tolist(), nominal.pair_offer.tolist(), strict=True))
    held = dict.fromkeys(nominal_pairs, 0)
    arguments = dict(engine.arguments)
    for sample in range(samples):
        arguments["demand"] = demand[sample]
        result = match_offers(**arguments, other_region_penalty=engine.penalty)
        for pair in zip(result.pair_cell.tolist(), result.pair_offer.tolist(), strict=True):
            if pair in held:
                held[pair] += 1
    return {pair: count / samples for pair, count in held.items()}


def approved_rounds(framework_code: str | None = None) -> list[int]:
    """Rounds with at least one approved, scored assessment, latest first."""
    assessments = Assessment.objects.filter(
        state=AssessmentState.APPROVED, scores__run__status=RunStatus.COMPLETE
    )
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    return sorted(set(assessments.values_list("round", flat=True)), reverse=True)
