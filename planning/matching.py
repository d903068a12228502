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
is unknown, not zero.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.models import DeliveryMode, DemandRule, Offer
from planning.offers import expand_topics
from planning.services import PlanningError, ScoreSnapshot, _snapshot
from scoring.engine.matching import ANY_MODE, match_greedy, match_offers
from scoring.models import RunStatus, Score, ScoreLevel
from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Assessment, AssessmentState, ItuRegion

DEFAULT_LANGUAGES = {"en": 1.0}
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


@dataclass(frozen=True)
class UnmetRow:
    region: str
    indicator: str
    indicator_title: str
    language: str
    participants: float
    reason: str

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


def round_snapshots(
    *, round_: int, framework_code: str, region: str = "", language: str = "en"
) -> list[ScoreSnapshot]:
    """Approved assessments of a round with their latest complete run (three queries)."""
    assessments = Assessment.objects.filter(
        round=round_,
        framework__code=framework_code,
        state=AssessmentState.APPROVED,
        scores__run__status=RunStatus.COMPLETE,
    )
    if region:
        assessments = assessments.filter(country__itu_region=region)
    latest = dict(
        assessments.values("pk").annotate(run=Max("scores__run")).values_list("pk", "run")
    )
    found = list(Assessment.objects.filter(pk__in=latest).select_related("country", "framework"))
    rows: dict[int, list[Score]] = defaultdict(list)
    for score in Score.objects.filter(
        run_id__in=set(latest.values()),
        assessment_id__in=list(latest),
        level__in=[ScoreLevel.OVERALL, ScoreLevel.PILLAR, ScoreLevel.INDICATOR],
    ):
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


def matching_plan(
    *,
    round_: int,
    framework_code: str,
    region: str = "",
    topic: str = "",
    language: str = "",
    mode: str = "",
    budget_per_country: float | None = None,
    prefer_same_region: bool = False,
    ui_language: str = "en",
) -> MatchingPlan:
    """The least-cost plan meeting the most of a round's demand with the active offers.

    ``topic`` (indicator or pillar code), ``language`` and ``mode`` narrow the demand;
    ``budget_per_country`` (USD, ``None`` for no limit) caps each country's spend;
    ``prefer_same_region`` makes a provider of another region cost the largest offer price
    more per participant in the objective, so it is used only when no home offer can serve.

    Raises
    ------
    PlanningError
        No approved assessment with scores in the round, an empty catalogue, a budget of zero.
    """
    if budget_per_country is not None and not budget_per_country > 0:
        raise PlanningError(
            _("The budget per country must be more than zero USD (leave it empty for no limit).")
        )
    if region and region not in ItuRegion.values:
        raise PlanningError(_("Unknown ITU region %(region)s.") % {"region": repr(region)})
    snapshots = round_snapshots(
        round_=round_, framework_code=framework_code, region=region, language=ui_language
    )
    if not snapshots:
        raise PlanningError(
            _("No approved assessment of round %(round)s has scores yet: there is no demand.")
            % {"round": round_}
        )
    offers = list(
        Offer.objects.filter(
            framework_code=framework_code, active=True, provider__active=True
        ).select_related("provider")
    )
    if not offers:
        raise PlanningError(str(EMPTY_CATALOGUE))
    spec = snapshots[0].spec
    cells = round_demand(snapshots)
    if topic:
        wanted = expand_topics([topic], spec)
        cells = [cell for cell in cells if cell.indicator in wanted]
    if language:
        cells = [cell for cell in cells if cell.language == language]
    if mode:
        cells = [cell for cell in cells if cell.mode in ("", mode)]
    return _solve(
        round_,
        framework_code,
        snapshots,
        cells,
        offers,
        spec,
        budget_per_country,
        prefer_same_region,
        mode,
        ui_language,
    )


def _solve(
    round_: int,
    framework_code: str,
    snapshots: Sequence[ScoreSnapshot],
    cells: Sequence[DemandCell],
    offers: Sequence[Offer],
    spec: FrameworkSpec,
    budget_per_country: float | None,
    prefer_same_region: bool,
    mode_filter: str,
    ui_language: str,
) -> MatchingPlan:
    topics = {code: index for index, code in enumerate(ind.code for ind in spec.indicators)}
    languages: dict[str, int] = {}
    regions = {code: index for index, code in enumerate(ItuRegion.values)}
    countries = {code: index for index, code in enumerate(sorted({c.country for c in cells}))}
    modes = {code: index for index, code in enumerate(MODES)}

    def language_id(code: str) -> int:
        return languages.setdefault(code, len(languages))

    # A mode filter on the page asks for that mode even where the country's rule says "any".
    demand_mode = [
        modes[cell.mode or mode_filter] if (cell.mode or mode_filter) else ANY_MODE
        for cell in cells
    ]
    arguments = {
        "demand": [cell.participants for cell in cells],
        "demand_topic": [topics[cell.indicator] for cell in cells],
        "demand_language": [language_id(cell.language) for cell in cells],
        "demand_mode": demand_mode,
        "demand_region": [regions.get(cell.region, -1) for cell in cells],
        "offer_seats": [offer.seats for offer in offers],
        "offer_cost": [float(offer.cost) for offer in offers],
        "offer_topics": [
            [topics[code] for code in expand_topics(offer.topics, spec) if code in topics]
            for offer in offers
        ],
        "offer_languages": [[language_id(code) for code in offer.languages] for offer in offers],
        "offer_mode": [modes[offer.mode] for offer in offers],
        "offer_region": [regions.get(offer.provider.region, -2) for offer in offers],
    }
    if budget_per_country is not None:
        arguments["demand_group"] = [countries[cell.country] for cell in cells]
        arguments["group_budgets"] = [float(budget_per_country)] * max(1, len(countries))
    penalty = max((float(o.cost) for o in offers), default=0.0) + 1.0 if prefer_same_region else 0.0
    result = match_offers(**arguments, other_region_penalty=penalty)
    greedy = match_greedy(**arguments)
    placements = tuple(
        Placement(
            country=cells[c].country,
            country_name=cells[c].country_name,
            region=cells[c].region,
            indicator=cells[c].indicator,
            language=cells[c].language,
            offer=offers[o].code,
            offer_title=offers[o].title_in(ui_language),
            provider=offers[o].provider.code,
            provider_name=offers[o].provider.name,
            participants=float(amount),
            cost=float(amount) * float(offers[o].cost),
        )
        for c, o, amount in zip(
            result.pair_cell, result.pair_offer, result.pair_amount, strict=True
        )
    )
    unmet: dict[tuple[str, str, str, str], float] = defaultdict(float)
    titles = {cell.indicator: cell.indicator_title for cell in cells}
    for index, cell in enumerate(cells):
        if result.unmet[index] > 0:
            key = (cell.region, cell.indicator, cell.language, result.reason[index])
            unmet[key] += float(result.unmet[index])
    unmet_rows = tuple(
        UnmetRow(region, indicator, titles[indicator], lang, amount, reason)
        for (region, indicator, lang, reason), amount in sorted(unmet.items())
    )
    used: dict[str, list[float]] = {}
    for index, offer in enumerate(offers):
        seats_used = used.setdefault(offer.provider.code, [0.0, 0.0])
        seats_used[0] += offer.seats
        seats_used[1] += float(result.offer_used[index])
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
    full = [offers[i].code for i in np.flatnonzero(result.seats_binding)]
    if full:
        binding.append(_("Seats are full on %(offers)s.") % {"offers": ", ".join(full)})
    if budget_per_country is not None and result.budget_binding.any():
        spent = [code for code, index in countries.items() if result.budget_binding[index]]
        binding.append(_("The budget is spent in %(countries)s.") % {"countries": ", ".join(spent)})
    if "no_offer" in result.reason:
        binding.append(_("Some demand has no offer in its topic, language and mode."))
    return MatchingPlan(
        round=round_,
        framework_code=framework_code,
        countries=len(snapshots),
        demand=int(sum(cell.participants for cell in cells)),
        placed=float(result.met.sum()),
        unmet=result.total_unmet,
        cost=result.total_cost,
        other_region=result.other_region,
        placements=placements,
        unmet_rows=unmet_rows,
        providers=providers,
        binding=tuple(binding),
        greedy_cost=greedy.total_cost,
        greedy_unmet=greedy.total_unmet,
    )


def approved_rounds(framework_code: str | None = None) -> list[int]:
    """Rounds with at least one approved, scored assessment, latest first."""
    assessments = Assessment.objects.filter(
        state=AssessmentState.APPROVED, scores__run__status=RunStatus.COMPLETE
    )
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    return sorted(set(assessments.values_list("round", flat=True)), reverse=True)
