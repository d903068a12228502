"""Tests for Sobol sensitivity analysis and the pre-flight input check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from scoring.engine.sensitivity import (
    _saltelli_2010,
    check_inputs_exist,
    ishigami,
    sobol_analysis,
)

AROUND = stats.uniform(loc=-np.pi, scale=2 * np.pi)
ISHIGAMI_INPUTS = {"x1": AROUND, "x2": AROUND, "x3": AROUND}
NOMINAL = {"x1": 0.0, "x2": 0.0, "x3": 0.0}
# Exact indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Sobol & Levitan 1999), as listed in
# DOMAIN.md: first order (0.314, 0.442, 0), total (0.558, 0.442, 0.244).
ISHIGAMI_FIRST = [0.3139, 0.4424, 0.0]
ISHIGAMI_TOTAL = [0.5576, 0.4424, 0.2437]


@pytest.fixture(scope="module")
def ishigami_indices():
    return sobol_analysis(ishigami, ISHIGAMI_INPUTS, nominal=NOMINAL, n_base_samples=2**11, seed=0)


def test_sobol_indices_of_the_ishigami_function_match_the_reference(ishigami_indices) -> None:
    assert ishigami_indices.input_names == ("x1", "x2", "x3")
    assert_allclose(ishigami_indices.first_order[0], ISHIGAMI_FIRST, atol=0.01)
    assert_allclose(ishigami_indices.total_order[0], ISHIGAMI_TOTAL, atol=0.01)


def test_replicate_intervals_of_the_ishigami_indices_contain_the_exact_values(
    ishigami_indices,
) -> None:
    result = ishigami_indices
    assert np.all(result.first_order_low[0] <= ISHIGAMI_FIRST)
    assert np.all(ISHIGAMI_FIRST <= result.first_order_high[0])
    assert np.all(result.total_order_low[0] <= ISHIGAMI_TOTAL)
    assert np.all(ISHIGAMI_TOTAL <= result.total_order_high[0])
    widths = result.total_order_high - result.total_order_low
    assert np.all((widths > 0) & (widths < 0.1))
    assert result.n_evaluations == 8 * 2**11 * 5
    assert result.n_replicates == 8
    assert result.confidence_level == 0.95


def test_each_replicate_is_scipys_estimate_and_the_index_is_their_mean() -> None:
    # Replicate r is scipy.stats.sobol_indices on its own scrambled sequence, seeded by the
    # r-th child of SeedSequence(seed): independent replicates, one design.
    ours = sobol_analysis(
        ishigami, ISHIGAMI_INPUTS, nominal=NOMINAL, n_base_samples=256, n_replicates=4, seed=11
    )
    theirs = [
        stats.sobol_indices(
            func=ishigami,
            n=256,
            dists=list(ISHIGAMI_INPUTS.values()),
            rng=np.random.default_rng(child),
        )
        for child in np.random.SeedSequence(11).spawn(4)
    ]
    firsts = np.array([result.first_order for result in theirs])
    totals = np.array([result.total_order for result in theirs])
    assert_allclose(ours.first_order[0], firsts.mean(axis=0), rtol=1e-10, atol=1e-12)
    assert_allclose(ours.total_order[0], totals.mean(axis=0), rtol=1e-10, atol=1e-12)
    half = stats.t.ppf(0.975, 3) * totals.std(axis=0, ddof=1) / 2.0
    assert_allclose(ours.total_order_high[0] - ours.total_order[0], half, rtol=1e-8, atol=1e-12)
    assert_allclose(ours.total_order[0] - ours.total_order_low[0], half, rtol=1e-8, atol=1e-12)


def test_the_plain_estimator_with_unit_weights_is_the_saltelli_estimator() -> None:
    rng = np.random.default_rng(3)
    f_a, f_b = rng.normal(size=(2, 2, 40))
    f_ab = rng.normal(size=(3, 2, 40))
    first, total = _saltelli_2010(f_a, f_b, f_ab, np.ones((1, 40)))
    variance = np.var([f_a, f_b], axis=(0, -1))
    assert_allclose(first[0], (np.mean(f_b * (f_ab - f_a), axis=-1) / variance).T)
    assert_allclose(total[0], (0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / variance).T)


def test_several_named_outputs_each_get_their_indices() -> None:
    def model(x: np.ndarray) -> np.ndarray:
        return np.vstack([x[0] + 0 * x[1], x[1] * 3.0, np.ones(x.shape[1])])

    uniform = stats.uniform()
    result = sobol_analysis(
        model,
        {"a": uniform, "b": uniform},
        nominal=["a", "b"],
        output_names=["only a", "only b", "constant"],
        n_base_samples=512,
    )
    assert_allclose(result.first_order[:2], [[1, 0], [0, 1]], atol=0.02)
    assert_allclose(result.total_order[:2], [[1, 0], [0, 1]], atol=0.02)
    # A constant output has no variance to share: indices 0, as scipy reports them.
    assert_array_equal(result.first_order[2], [0.0, 0.0])
    indices = result.for_output("only b")
    assert indices["b"]["total"] == pytest.approx(1.0, abs=0.02)
    assert indices["a"]["total_low"] <= indices["a"]["total"] <= indices["a"]["total_high"]
    with pytest.raises(ValueError, match="unknown output 'only c'"):
        result.for_output("only c")


def test_discrete_choices_can_be_varied_with_randint() -> None:
    result = sobol_analysis(
        lambda x: np.where(x[0] == 1, 10.0, 0.0) + 0.01 * x[1],
        {"method": stats.randint(0, 2), "noise": stats.uniform()},
        nominal={"method": 0, "noise": 0.5},
        n_base_samples=512,
    )
    assert result.total_order[0, 0] > 0.99


def test_the_same_seed_gives_identical_results_and_another_seed_does_not() -> None:
    first = sobol_analysis(ishigami, ISHIGAMI_INPUTS, nominal=NOMINAL, n_base_samples=128, seed=5)
    again = sobol_analysis(ishigami, ISHIGAMI_INPUTS, nominal=NOMINAL, n_base_samples=128, seed=5)
    other = sobol_analysis(ishigami, ISHIGAMI_INPUTS, nominal=NOMINAL, n_base_samples=128, seed=6)
    assert_array_equal(first.total_order, again.total_order)
    assert_array_equal(first.total_order_low, again.total_order_low)
    assert not np.array_equal(first.total_order, other.total_order)
    assert first.seed == 5


def test_varying_an_input_missing_from_the_nominal_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown input 'x4'.*defines: x1, x2, x3"):
        sobol_analysis(
            lambda x: x[0], {**ISHIGAMI_INPUTS, "x4": AROUND}, nominal=NOMINAL, n_base_samples=8
        )


def test_pre_flight_check_suggests_the_closest_known_name() -> None:
    with pytest.raises(ValueError, match=r"unknown inputs 'wieghts' \(did you mean 'weights'\?\)"):
        check_inputs_exist(["wieghts", "zzz"], ["weights", "aggregation"])
    with pytest.raises(ValueError, match="unknown indicator 'ICT9'"):
        check_inputs_exist(["ICT9"], {"ICT1": 1.0}, what="indicator")


def test_pre_flight_check_reads_the_fields_of_a_dataclass_configuration() -> None:
    @dataclasses.dataclass(frozen=True)
    class Config:
        aggregation: str = "arithmetic"
        normalisation: str = "goalposts"

    check_inputs_exist(["aggregation"], Config())
    with pytest.raises(ValueError, match="'imputation'"):
        check_inputs_exist(["imputation"], Config())
    with pytest.raises(ValueError, match="nominal configuration must be"):
        check_inputs_exist(["a"], 3)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_base_samples": 100}, "power of 2"),
        ({"n_base_samples": 1}, "power of 2"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"n_replicates": 1}, "n_replicates"),
        ({"inputs": {}}, "inputs is empty"),
        ({"inputs": {"x1": "uniform"}}, "input 'x1' has no ppf"),
        ({"model": lambda x: x[0][:3]}, "model must return shape"),
        ({"model": lambda x: np.full(x.shape[1], np.nan)}, "finite outputs"),
        ({"output_names": ["a", "b"]}, "1 outputs but 2 names"),
    ],
)
def test_sobol_analysis_rejects_bad_arguments(overrides: dict, message: str) -> None:
    arguments = {"model": ishigami, "inputs": ISHIGAMI_INPUTS, "nominal": NOMINAL}
    arguments |= {"n_base_samples": 8} | overrides
    with pytest.raises(ValueError, match=message):
        sobol_analysis(**arguments)
