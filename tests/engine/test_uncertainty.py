"""Tests for Monte Carlo uncertainty and Sobol sensitivity over method choices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from scoring.engine import _montecarlo
from scoring.engine.config import EngineConfig, Goalposts, ItemSpec, Level, LevelMapping, NodeSpec
from scoring.engine.constants import ANSWERED, DONT_KNOW
from scoring.engine.pipeline import score
from scoring.engine.uncertainty import (
    DirichletWeights,
    UniformWeights,
    _draw_choices,
    _evaluate,
    _prepare,
    _ranks,
    _score_sample,
    nominal_input_names,
    run_uncertainty,
    uncertainty_sensitivity,
)

LEVELS = LevelMapping.linear(range(5))
ALL_INPUTS = {
    "weights:item": DirichletWeights(10),
    "weights:indicator": UniformWeights(0.5),
    "weights:pillar": DirichletWeights(5),
    "aggregation:indicator": ("arithmetic", "geometric", "harmonic"),
    "aggregation:pillar": ("arithmetic", "geometric"),
    "aggregation:overall": ("geometric", "arithmetic"),
    "normalisation": ("nominal", "min_max", "percentile_rank"),
    "dont_know_rule": ("exclude", "lowest"),
    "imputation": (None, "mean", "median"),
}


def make_three_level_case(units: int = 10, seed: int = 0, *, interleaved: bool = False):
    """Items (maturity levels and goalposts statistics) -> 6 indicators -> 3 pillars.

    ``interleaved``: indicator k belongs to pillar k % 3 instead of k // 2, so that no
    pillar's indicators are consecutive.
    """
    rng = np.random.default_rng(seed)
    items = tuple(
        ItemSpec(f"s{i}", f"I{i // 2}", Goalposts(threshold=0, target=50), weight=1 + i % 2)
        if i % 3 == 0
        else ItemSpec(f"q{i}", f"I{i // 2}", LEVELS, weight=1.0 + i % 4)
        for i in range(12)
    )
    indicators = tuple(
        NodeSpec(
            f"I{k}",
            parent=f"P{k % 3 if interleaved else k // 2}",
            aggregation="geometric" if k == 1 else "arithmetic",
        )
        for k in range(6)
    )
    config = EngineConfig(
        items=items,
        levels=(
            Level("indicator", indicators),
            Level("pillar", tuple(NodeSpec(f"P{k}", weight=1 + k) for k in range(3))),
        ),
        min_coverage=0.5,
    )
    is_statistic = np.array([i % 3 == 0 for i in range(12)])
    values = np.where(
        is_statistic, rng.uniform(0, 60, (units, 12)), rng.integers(0, 5, (units, 12))
    ).astype(float)
    status = rng.choice([0, 1, 2, 3], p=[0.8, 0.08, 0.06, 0.06], size=(units, 12))
    groups = ["north", "south"] * (units // 2)
    return config, values, status, groups


def assert_samples_equal_the_pipeline(problem, choices, values, status, groups) -> None:
    """Every vectorised sample equals the pipeline run with that sample's configuration."""
    overall, pillars = _evaluate(problem, choices)
    for sample in range(choices.shape[0]):
        expected = _score_sample(problem, choices[sample], values, status, groups)
        assert_allclose(overall[sample], expected.overall, atol=1e-9, equal_nan=True)
        assert_allclose(pillars[sample], expected.pillar_scores, atol=1e-9, equal_nan=True)


def make_two_pillar_case():
    """Two pillars of two maturity questions; unit 0 = pillars (100, 12.5), unit 1 = (50, 50)."""
    config = EngineConfig(
        items=tuple(ItemSpec(f"q{i}", f"P{i // 2}", LEVELS) for i in range(4)),
        levels=(Level("pillar", (NodeSpec("P0"), NodeSpec("P1"))),),
    )
    values = np.array([[4, 4, 0, 1], [2, 2, 2, 2], [0, 1, 4, 4]], dtype=float)
    return config, values, np.zeros(values.shape, dtype=int)


@pytest.mark.parametrize("interleaved", [False, True], ids=["grouped", "interleaved"])
@pytest.mark.parametrize(
    "normalised_max_partial", [0.0, 1.0], ids=["presence-product", "normalised-weights"]
)
def test_every_vectorised_sample_equals_the_pipeline_run_with_that_samples_configuration(
    interleaved: bool, normalised_max_partial: float, monkeypatch
) -> None:
    # Both ways of the first step: presence multiplied with the scores, or weights
    # normalised per parent with the rows that miss children divided again.
    monkeypatch.setattr(_montecarlo, "NORMALISED_MAX_PARTIAL", normalised_max_partial)
    config, values, status, groups = make_three_level_case(interleaved=interleaved)
    rng = np.random.default_rng(1)
    problem = _prepare(
        config, values, status, inputs=ALL_INPUTS, groups=groups, n_weight_sets=40, rng=rng
    )
    choices = _draw_choices(problem, 120, rng)
    assert_samples_equal_the_pipeline(problem, choices, values, status, groups)


@pytest.mark.parametrize(
    "item_noise", [DirichletWeights(10), UniformWeights(0.5)], ids=["dirichlet", "uniform"]
)
def test_samples_with_an_item_of_weight_zero_equal_the_pipeline(item_noise) -> None:
    # A zero weight keeps zero scores out of the infinite-logarithm shortcut of the first
    # step: the masked path must give the pipeline's scores too.
    config, values, status, groups = make_three_level_case(seed=3)
    items = tuple(
        dataclasses.replace(item, weight=0.0) if index in (0, 7) else item
        for index, item in enumerate(config.items)
    )
    config = dataclasses.replace(config, items=items)
    rng = np.random.default_rng(2)
    inputs = ALL_INPUTS | {"weights:item": item_noise}
    problem = _prepare(
        config, values, status, inputs=inputs, groups=groups, n_weight_sets=30, rng=rng
    )
    assert not problem.first_tables[0].positive_weights
    choices = _draw_choices(problem, 80, rng)
    assert_samples_equal_the_pipeline(problem, choices, values, status, groups)


def test_the_first_step_shortcut_is_taken_when_every_item_weight_is_positive() -> None:
    config, values, status, groups = make_three_level_case()
    problem = _prepare(
        config,
        values,
        status,
        inputs=ALL_INPUTS,
        groups=groups,
        n_weight_sets=40,
        rng=np.random.default_rng(1),
    )
    assert all(tables.positive_weights for tables in problem.first_tables)


@pytest.mark.parametrize("interleaved", [False, True], ids=["grouped", "interleaved"])
def test_the_nominal_scores_are_the_pipeline_scores_of_the_nominal_configuration(
    interleaved: bool,
) -> None:
    config, values, status, groups = make_three_level_case(interleaved=interleaved)
    result = run_uncertainty(
        config, values, status, inputs=ALL_INPUTS, groups=groups, n_samples=200, n_weight_sets=20
    )
    expected = score(config, values, status, groups=groups)
    assert_allclose(result.nominal_overall, expected.overall, equal_nan=True)
    assert_allclose(result.nominal_pillars, expected.pillar_scores, equal_nan=True)
    assert result.pillar_codes == ("P0", "P1", "P2")


def test_arithmetic_versus_geometric_gives_exactly_the_two_means_as_interval_ends() -> None:
    # Unit 0: pillars 100 and 12.5 -> arithmetic 56.25, geometric sqrt(1250) = 35.36.
    # Unit 1: both pillars 50 -> 50 either way.
    config, values, status = make_two_pillar_case()
    result = run_uncertainty(
        config,
        values,
        status,
        inputs={"aggregation:overall": ("arithmetic", "geometric")},
        n_samples=500,
        seed=4,
    )
    assert_allclose([result.overall_low[0], result.overall_high[0]], [np.sqrt(1250), 56.25])
    assert_allclose([result.overall_low[1], result.overall_high[1]], [50.0, 50.0])
    # Unit 1 (50) beats units 0 and 2 (35.36) exactly when the geometric mean is drawn.
    geometric_share = np.mean(result.choices[:, 0] == 1)
    assert result.probability_above[1, 0] == pytest.approx(geometric_share)
    assert result.probability_above[0, 1] == pytest.approx(1 - geometric_share)
    # Units 0 and 2 are mirror images: always tied, so neither is ever above the other.
    assert result.probability_above[0, 2] == 0.0 == result.probability_above[2, 0]
    assert_array_equal(result.pillar_low[0], [100.0, 12.5])


def test_ties_share_the_best_rank_and_missing_scores_are_unranked() -> None:
    ranks = _ranks(np.array([[50.0, 70.0, 50.0, np.nan, 10.0]]))
    assert_array_equal(ranks[0, [0, 1, 2, 4]], [2.0, 1.0, 2.0, 4.0])
    assert np.isnan(ranks[0, 3])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), units=st.integers(2, 8))
def test_intervals_contain_the_median_and_pairwise_probabilities_never_exceed_one(
    seed: int, units: int
) -> None:
    config, values, status, groups = make_three_level_case(units=2 * units, seed=seed % 1000)
    result = run_uncertainty(
        config,
        values,
        status,
        inputs=ALL_INPUTS,
        groups=groups,
        n_samples=64,
        seed=seed,
        n_weight_sets=16,
    )
    for low, median, high in (
        (result.overall_low, result.overall_median, result.overall_high),
        (result.pillar_low, result.pillar_median, result.pillar_high),
        (result.rank_low, result.rank_median, result.rank_high),
    ):
        scored = ~np.isnan(median)
        assert np.all(low[scored] <= median[scored] + 1e-9)
        assert np.all(median[scored] <= high[scored] + 1e-9)
    both_ways = result.probability_above + result.probability_above.T
    assert np.all(both_ways <= 1.0 + 1e-12)
    assert np.all(np.diag(result.probability_above) == 0.0)
    scored = ~np.isnan(result.overall_median)
    assert np.all((result.overall_low[scored] >= 0) & (result.overall_high[scored] <= 100))


def test_the_same_seed_reproduces_the_run_and_another_seed_draws_other_samples() -> None:
    config, values, status, groups = make_three_level_case()
    arguments = {"inputs": ALL_INPUTS, "groups": groups, "n_samples": 300, "n_weight_sets": 30}
    first = run_uncertainty(config, values, status, seed=7, **arguments)
    again = run_uncertainty(config, values, status, seed=7, **arguments)
    other = run_uncertainty(config, values, status, seed=8, **arguments)
    assert first.seed == 7
    assert_array_equal(first.choices, again.choices)
    assert_array_equal(first.overall_median, again.overall_median)
    assert_array_equal(first.probability_above, again.probability_above)
    assert not np.array_equal(first.choices, other.choices)


def test_dirichlet_weight_sets_average_to_the_nominal_shares_within_each_parent() -> None:
    config, values, status = make_two_pillar_case()
    config = EngineConfig(
        items=config.items,
        levels=(Level("pillar", (NodeSpec("P0", weight=3), NodeSpec("P1", weight=1))),),
    )
    problem = _prepare(
        config,
        values,
        status,
        inputs={"weights:pillar": DirichletWeights(50)},
        groups=None,
        n_weight_sets=4000,
        rng=np.random.default_rng(0),
    )
    pool = problem.weight_pools[1]
    assert_allclose(pool.sum(axis=1), 1.0)
    assert_allclose(pool.mean(axis=0), [0.75, 0.25], atol=0.01)
    # Dirichlet(37.5, 12.5): sd of a share = sqrt(0.75 * 0.25 / 51).
    assert_allclose(pool.std(axis=0), np.sqrt(0.75 * 0.25 / 51), rtol=0.1)


def test_uniform_weight_noise_stays_within_its_bounds() -> None:
    config, values, status = make_two_pillar_case()
    problem = _prepare(
        config,
        values,
        status,
        inputs={"weights:item": UniformWeights(0.2)},
        groups=None,
        n_weight_sets=500,
        rng=np.random.default_rng(0),
    )
    pool = problem.weight_pools[0]
    assert pool.min() >= 0.8 and pool.max() <= 1.2
    assert pool.max() - pool.min() > 0.3


def test_dont_know_treatment_moves_a_unit_that_answered_dont_know() -> None:
    config, values, _ = make_two_pillar_case()
    status = np.full(values.shape, ANSWERED)
    status[1, 0] = DONT_KNOW
    result = run_uncertainty(
        config, values, status, inputs={"dont_know_rule": ("exclude", "lowest")}, n_samples=200
    )
    # Excluded: unit 1 keeps 50 in every pillar; scored lowest (0): P0 = 25 -> overall 37.5.
    assert_allclose([result.overall_low[1], result.overall_high[1]], [37.5, 50.0])
    assert_allclose([result.overall_low[0], result.overall_high[0]], [56.25, 56.25])


def test_unknown_inputs_are_refused_before_anything_runs() -> None:
    config, values, status = make_two_pillar_case()
    with pytest.raises(ValueError, match=r"'weights:pilar' \(did you mean 'weights:pillar'\?\)"):
        run_uncertainty(config, values, status, inputs={"weights:pilar": DirichletWeights()})
    with pytest.raises(ValueError, match="'aggregation:indicator'"):
        run_uncertainty(config, values, status, inputs={"aggregation:indicator": ("geometric",)})


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"aggregation:pillar": ("arithmetic", "median")}, "unknown alternative 'median'"),
        ({"aggregation:pillar": "geometric"}, "give a list of alternatives"),
        ({"normalisation": ()}, "alternatives is empty"),
        ({"imputation": (None, None)}, "repeated"),
        ({"dont_know_rule": ("exclude", "zero")}, "unknown alternative 'zero'"),
        ({"weights:pillar": (0.5, 0.5)}, "expected DirichletWeights"),
    ],
)
def test_bad_alternatives_are_refused_with_the_input_named(inputs: dict, message: str) -> None:
    config, values, status = make_two_pillar_case()
    with pytest.raises(ValueError, match=message):
        run_uncertainty(config, values, status, inputs=inputs, n_samples=10)


def test_weight_noise_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="concentration"):
        DirichletWeights(0)
    with pytest.raises(ValueError, match="spread"):
        UniformWeights(1.0)


def test_nominal_input_names_cover_every_level_of_the_configuration() -> None:
    config, *_ = make_three_level_case()
    names = nominal_input_names(config)
    assert "weights:indicator" in names and "aggregation:overall" in names
    assert "weights:overall" not in names and "aggregation:item" not in names


def test_sensitivity_gives_no_share_to_an_input_that_changes_nothing() -> None:
    config, values, status = make_two_pillar_case()
    indices = uncertainty_sensitivity(
        config,
        values,
        status,
        inputs={
            "aggregation:overall": ("arithmetic", "geometric"),
            "dont_know_rule": ("exclude", "lowest"),  # nobody answered "don't know"
        },
        n_base_samples=32,
        unit_codes=["A", "B", "C"],
    )
    assert indices.input_names == ("aggregation:overall", "dont_know_rule")
    assert indices.output_names == ("A", "B", "C", "mean absolute rank shift")
    unit_a = indices.for_output("A")
    assert unit_a["aggregation:overall"]["total"] == pytest.approx(1.0, abs=1e-9)
    assert unit_a["dont_know_rule"]["total"] == pytest.approx(0.0, abs=1e-9)
    # Unit B scores 50 whatever the method: no variance, indices 0.
    assert_array_equal(indices.total_order[1], [0.0, 0.0])


def test_sensitivity_refuses_an_unknown_input_and_an_empty_analysis() -> None:
    config, values, status = make_two_pillar_case()
    with pytest.raises(ValueError, match="unknown uncertain input 'imputaton'"):
        uncertainty_sensitivity(config, values, status, inputs={"imputaton": (None, "mean")})
    with pytest.raises(ValueError, match="inputs is empty"):
        uncertainty_sensitivity(config, values, status, inputs={})


def test_run_uncertainty_validates_its_arguments() -> None:
    config, values, status = make_two_pillar_case()
    with pytest.raises(ValueError, match="n_samples"):
        run_uncertainty(config, values, status, inputs={}, n_samples=1)
    with pytest.raises(ValueError, match="interval"):
        run_uncertainty(config, values, status, inputs={}, interval=(95.0, 5.0))
    with pytest.raises(ValueError, match="unit_codes has 2 entries"):
        run_uncertainty(config, values, status, inputs={}, unit_codes=["a", "b"])
    with pytest.raises(ValueError, match="n_weight_sets"):
        run_uncertainty(
            config, values, status, inputs={"weights:item": UniformWeights()}, n_weight_sets=0
        )


@st.composite
def random_hierarchies(draw: st.DrawFn):
    """Two or three levels with random (interleaved) parents, widths and missing answers."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pillars = draw(st.integers(1, 3))
    three_levels = draw(st.booleans())
    nodes = draw(st.integers(pillars, 6)) if three_levels else pillars
    items = draw(st.integers(nodes, 14))
    units = draw(st.integers(3, 9))
    missing = draw(st.sampled_from([0.0, 0.1, 0.4, 0.7]))
    methods = ["arithmetic", "geometric", "harmonic"]
    # Every node keeps at least one child: the first children go round the nodes in turn.
    item_parent = [i % nodes if i < nodes else int(rng.integers(nodes)) for i in range(items)]
    item_specs = tuple(
        ItemSpec(f"s{i}", f"N{item_parent[i]}", Goalposts(threshold=0, target=50))
        if i % 3 == 0
        else ItemSpec(f"q{i}", f"N{item_parent[i]}", LEVELS, weight=float(rng.uniform(0.5, 3)))
        for i in range(items)
    )
    pillar_nodes = tuple(
        NodeSpec(f"P{k}", weight=float(rng.uniform(0.5, 2)), aggregation=methods[k % 2])
        for k in range(pillars)
    )
    if three_levels:
        node_parent = [
            k % pillars if k < pillars else int(rng.integers(pillars)) for k in range(nodes)
        ]
        first = tuple(
            NodeSpec(
                f"N{k}", parent=f"P{node_parent[k]}", aggregation=methods[int(rng.integers(3))]
            )
            for k in range(nodes)
        )
        levels = (Level("indicator", first), Level("pillar", pillar_nodes))
    else:
        levels = (
            Level(
                "pillar",
                tuple(dataclasses.replace(p, code=f"N{k}") for k, p in enumerate(pillar_nodes)),
            ),
        )
    config = EngineConfig(items=item_specs, levels=levels)
    values = np.where(
        np.arange(items) % 3 == 0,
        rng.uniform(-5, 60, (units, items)),
        rng.integers(0, 5, (units, items)),
    ).astype(float)
    status = np.where(
        rng.random((units, items)) < missing, rng.choice([1, 2, 3], size=(units, items)), ANSWERED
    )
    groups = ["north", "south", "east"] * units
    return config, values, status, groups[:units]


@settings(max_examples=40, deadline=None)
@given(case=random_hierarchies(), data=st.data())
def test_vectorised_samples_equal_the_pipeline_on_random_hierarchies(case, data) -> None:
    config, values, status, groups = case
    level_names = config.level_names
    inputs = {
        "weights:item": data.draw(st.sampled_from([DirichletWeights(8), UniformWeights(0.5)])),
        f"weights:{level_names[-1]}": DirichletWeights(5),
        f"aggregation:{level_names[0]}": ("arithmetic", "geometric", "harmonic"),
        "aggregation:overall": ("geometric", "arithmetic"),
        "normalisation": ("nominal", "min_max"),
        "dont_know_rule": ("exclude", "lowest"),
        "imputation": (None, "mean"),
    }
    if len(level_names) > 1:
        inputs[f"weights:{level_names[0]}"] = UniformWeights(0.5)
    rng = np.random.default_rng(0)
    problem = _prepare(
        config, values, status, inputs=inputs, groups=groups, n_weight_sets=16, rng=rng
    )
    choices = _draw_choices(problem, 40, rng)
    assert_samples_equal_the_pipeline(problem, choices, values, status, groups)
