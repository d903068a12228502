"""Composite-indicator scoring engine: pure numpy/scipy, no Django.

Everything is vectorised over **units** (countries or assessments) × **items** (scored
questions or statistics); scores are on a 0–100 scale; NaN means "no score".

Inputs
    ``values`` (units × items) raw answers — level codes, numbers, multiple-choice points —
    and ``status`` (same shape) with the codes :data:`ANSWERED`, :data:`DONT_KNOW`,
    :data:`NOT_APPLICABLE`, :data:`MISSING`; optionally a peer-group label per unit.

Configuration (frozen dataclasses, :mod:`scoring.engine.config`)
    :class:`EngineConfig` holds the items (:class:`ItemSpec`: parent indicator, weight,
    normalisation — :class:`LevelMapping`, :class:`Goalposts`, :class:`Points` or
    :class:`Relative`) and the levels of the tree, bottom-up (:class:`Level` of
    :class:`NodeSpec`): indicators → [sub-pillars] → pillars → overall. Each node declares its
    weight in its parent, how it aggregates its own children (weighted arithmetic, geometric,
    harmonic or power mean), its target and optionally its minimum coverage. ``to_dict()`` /
    ``from_dict()`` round-trip; :func:`config_digest` and :func:`inputs_digest` fingerprint a run
    together with :data:`ENGINE_VERSION`.

Pipeline (:func:`score` → :class:`ScoreResult`)
    1. normalise answered items to 0–100 (per-item rules, or over the set of units);
    2. "don't know": excluded (default) or scored as the lowest level (rule 'lowest');
       "not applicable": excluded; missing: excluded and counted against coverage;
    3. optional mean/median imputation within peer groups, every imputed value flagged;
    4. coverage (share of the node's applicable weight with real data, level by level) per
       node; a node under its minimum
       coverage (default 2/3 for pillars) is "insufficient data": NaN and flagged; the overall
       score then excludes it (flagged partial) or, under rule 'propagate', is NaN too;
    5. aggregation level by level as masked matrix products: for each parent,
       ``(w · f(x)) @ O / (w · present) @ O`` with ``O`` the 0/1 child→parent matrix, so weights
       renormalise over the children present (:mod:`scoring.engine.aggregation`);
    6. gaps to target, relative gaps, maturity stages, effective weights of every item and node
       in the overall score, and marginal gains ∂overall/∂node (exact for every mean type).

Batches
    The aggregation functions accept leading axes — scores (..., units, children) and weights
    (..., 1, children) — so Monte Carlo samples of weights run as one vectorised call; see
    :func:`aggregate_tree` and the :mod:`scoring.engine.aggregation` docstring.

Planning and robustness (re-exported from their modules)
    Gap priority (:mod:`~scoring.engine.priority`), stakeholder agreement
    (:mod:`~scoring.engine.agreement`), portfolio optimisation
    (:mod:`~scoring.engine.portfolio`), Sobol sensitivity (:mod:`~scoring.engine.sensitivity`)
    and Monte Carlo uncertainty (:mod:`~scoring.engine.uncertainty`).

Other tools
    Weights (:func:`explicit_weights`, :func:`equal_weights`, :func:`ahp_weights`,
    :func:`pca_weights`, :func:`effective_weights`), normalisation over units
    (:func:`min_max`, :func:`z_score`, :func:`distance_to_target`, :func:`percentile_rank`) and a
    statistical :func:`audit` (skew/kurtosis with winsorisation, within-pillar correlations,
    Cronbach's alpha, coverage).

Examples
--------
>>> import numpy as np
>>> import scoring.engine as engine
>>> config = engine.EngineConfig(
...     items=(engine.ItemSpec("q1", "I1", engine.LevelMapping.yes_partial_no()),
...            engine.ItemSpec("q2", "I1", engine.Goalposts(threshold=0, target=80))),
...     levels=(engine.Level("pillar", (engine.NodeSpec("I1"),)),),
... )
>>> result = engine.score(config, np.array([[2, 20.0]]), np.zeros((1, 2), dtype=int))
>>> result.overall.tolist()  # (100 + 25) / 2
[62.5]
"""

from scoring.engine.aggregation import (
    TreeScores,
    aggregate_children,
    aggregate_tree,
    child_effective_weights,
    local_derivatives,
    weighted_mean,
)
from scoring.engine.agreement import (
    LOW_AGREEMENT_THRESHOLD,
    LOW_RELIABILITY_THRESHOLD,
    AgreementReport,
    PillarAgreement,
    PillarBootstrap,
    QuestionAgreement,
    agreement_report,
    bootstrap_pillar_scores,
    expected_uniform_variance,
    krippendorff_alpha,
    rwg,
    rwg_j,
)
from scoring.engine.audit import (
    AuditResult,
    CorrelationFlag,
    DistributionCheck,
    Winsorisation,
    audit,
    cronbach_alpha,
    pairwise_correlations,
    skew_kurtosis,
    winsorise,
)
from scoring.engine.config import (
    EngineConfig,
    Goalposts,
    ItemSpec,
    Level,
    LevelMapping,
    NodeSpec,
    Points,
    Relative,
    config_digest,
    inputs_digest,
)
from scoring.engine.constants import (
    ANSWERED,
    DEFAULT_MIN_COVERAGE,
    DEFAULT_STAGE_NAMES,
    DEFAULT_STAGE_THRESHOLDS,
    DONT_KNOW,
    ENGINE_VERSION,
    MISSING,
    NOT_APPLICABLE,
    SAATY_RANDOM_INDEX,
    STATUS_CODES,
    STATUS_NAMES,
)
from scoring.engine.gaps import (
    NO_STAGE,
    gaps,
    relative_gaps,
    stage_labels,
    stages,
    top_and_bottom,
)
from scoring.engine.hierarchy import Hierarchy, LevelStructure
from scoring.engine.missing import coverage, impute_by_group
from scoring.engine.normalisation import (
    distance_to_target,
    goalposts,
    map_levels,
    min_max,
    multiple_choice_points,
    normalise_items,
    percentile_rank,
    points_score,
    z_score,
)
from scoring.engine.pipeline import LevelResult, ScoreResult, score
from scoring.engine.portfolio import (
    BenefitModel,
    GreedyResult,
    InterventionRef,
    PortfolioProblem,
    PortfolioResult,
    RobustPortfolioResult,
    build_improvement_matrix,
    build_portfolio_problem,
    check_portfolio,
    greedy_portfolio,
    optimise_portfolio,
    portfolio_gain,
    robust_portfolio,
)
from scoring.engine.priority import (
    GAP_CRITERIA,
    PriorityResult,
    gap_priority,
    normalise_decision_matrix,
    priority_scores,
    validate_criteria_weights,
)
from scoring.engine.sensitivity import (
    Distribution,
    SobolIndices,
    check_inputs_exist,
    ishigami,
    sobol_analysis,
)
from scoring.engine.uncertainty import (
    AGGREGATION_ALTERNATIVES,
    NORMALISATION_ALTERNATIVES,
    DirichletWeights,
    UncertaintyResult,
    UniformWeights,
    nominal_input_names,
    run_uncertainty,
    uncertainty_sensitivity,
)
from scoring.engine.weights import (
    AhpResult,
    PcaWeights,
    ahp_weights,
    effective_weights,
    equal_weights,
    explicit_weights,
    pca_weights,
)

__all__ = [
    "ANSWERED",
    "DEFAULT_MIN_COVERAGE",
    "DEFAULT_STAGE_NAMES",
    "DEFAULT_STAGE_THRESHOLDS",
    "DONT_KNOW",
    "ENGINE_VERSION",
    "MISSING",
    "NOT_APPLICABLE",
    "NO_STAGE",
    "SAATY_RANDOM_INDEX",
    "STATUS_CODES",
    "STATUS_NAMES",
    "AhpResult",
    "AuditResult",
    "CorrelationFlag",
    "DistributionCheck",
    "EngineConfig",
    "Goalposts",
    "Hierarchy",
    "ItemSpec",
    "Level",
    "LevelMapping",
    "LevelResult",
    "LevelStructure",
    "NodeSpec",
    "PcaWeights",
    "Points",
    "Relative",
    "ScoreResult",
    "TreeScores",
    "Winsorisation",
    "aggregate_children",
    "aggregate_tree",
    "ahp_weights",
    "audit",
    "child_effective_weights",
    "config_digest",
    "coverage",
    "cronbach_alpha",
    "distance_to_target",
    "effective_weights",
    "equal_weights",
    "explicit_weights",
    "gaps",
    "goalposts",
    "impute_by_group",
    "inputs_digest",
    "local_derivatives",
    "map_levels",
    "min_max",
    "multiple_choice_points",
    "normalise_items",
    "pairwise_correlations",
    "pca_weights",
    "percentile_rank",
    "points_score",
    "relative_gaps",
    "score",
    "skew_kurtosis",
    "stage_labels",
    "stages",
    "top_and_bottom",
    "weighted_mean",
    "winsorise",
    "z_score",
    "LOW_AGREEMENT_THRESHOLD",
    "LOW_RELIABILITY_THRESHOLD",
    "AgreementReport",
    "PillarAgreement",
    "PillarBootstrap",
    "QuestionAgreement",
    "agreement_report",
    "bootstrap_pillar_scores",
    "expected_uniform_variance",
    "krippendorff_alpha",
    "rwg",
    "rwg_j",
    "BenefitModel",
    "InterventionRef",
    "GreedyResult",
    "PortfolioProblem",
    "PortfolioResult",
    "RobustPortfolioResult",
    "build_improvement_matrix",
    "build_portfolio_problem",
    "check_portfolio",
    "greedy_portfolio",
    "optimise_portfolio",
    "portfolio_gain",
    "robust_portfolio",
    "GAP_CRITERIA",
    "PriorityResult",
    "gap_priority",
    "normalise_decision_matrix",
    "priority_scores",
    "validate_criteria_weights",
    "Distribution",
    "SobolIndices",
    "check_inputs_exist",
    "ishigami",
    "sobol_analysis",
    "AGGREGATION_ALTERNATIVES",
    "NORMALISATION_ALTERNATIVES",
    "DirichletWeights",
    "UncertaintyResult",
    "UniformWeights",
    "nominal_input_names",
    "run_uncertainty",
    "uncertainty_sensitivity",
]
