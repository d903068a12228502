"""Tests for stakeholder agreement (r_wg, r_wg(J), Krippendorff alpha) and respondent bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from scoring.engine.agreement import (
    LOW_AGREEMENT_THRESHOLD,
    agreement_report,
    bootstrap_pillar_scores,
    expected_uniform_variance,
    krippendorff_alpha,
    rwg,
    rwg_j,
)

NAN = math.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 raters x 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def test_expected_variance_of_a_five_point_uniform_null_is_two() -> None:
    assert expected_uniform_variance(5) == 2.0
    assert expected_uniform_variance(2) == 0.25


@pytest.mark.parametrize("scale_points", [1, 0, 2.5, True])
def test_expected_variance_rejects_impossible_scales(scale_points: object) -> None:
    with pytest.raises(ValueError, match="scale_points"):
        expected_uniform_variance(scale_points)  # type: ignore[arg-type]


def test_rwg_reproduces_the_domain_reference_vector() -> None:
    # DOMAIN.md: ratings [4,4,5,4,3], A = 5: s^2 = 0.5, sigma_E^2 = 2 -> 1 - 0.25 = 0.75
    # (James, Demaree & Wolf 1984).
    assert rwg([4, 4, 5, 4, 3], scale_points=5) == pytest.approx(0.75)


def test_rwg_is_one_when_everyone_gives_the_same_answer() -> None:
    assert rwg([3, 3, 3], scale_points=5) == 1.0


def test_rwg_truncates_to_zero_when_answers_are_more_spread_than_random() -> None:
    # [1, 5, 1, 5]: s^2 = 16/3 > 2, the raw formula would give -1.67.
    assert rwg([1, 5, 1, 5], scale_points=5) == 0.0


def test_rwg_is_nan_with_fewer_than_two_ratings_and_ignores_missing_answers() -> None:
    assert math.isnan(rwg([4], scale_points=5))
    assert math.isnan(rwg([4, NAN, NAN], scale_points=5))
    assert rwg([4, 4, NAN, 5, 4, 3], scale_points=5) == pytest.approx(0.75)


def test_rwg_of_a_matrix_gives_one_value_per_question() -> None:
    ratings = np.array([[4, 1, 2], [4, 5, NAN], [5, 1, NAN], [4, 5, NAN], [3, 1, NAN]])
    result = rwg(ratings, scale_points=5)
    assert result.shape == (3,)
    assert_allclose(result[:2], [0.75, 0.0])
    assert math.isnan(result[2])


def test_rwg_rejects_infinite_ratings_and_three_dimensional_input() -> None:
    with pytest.raises(ValueError, match="infinite"):
        rwg([1, math.inf], scale_points=5)
    with pytest.raises(ValueError, match="1-D"):
        rwg(np.ones((2, 2, 2)), scale_points=5)


def test_rwg_j_matches_the_james_demaree_wolf_formula_by_hand() -> None:
    # Two items, each with s^2 = 0.5; mean ratio 0.25; J = 2: 2*0.75 / (2*0.75 + 0.25) = 6/7.
    ratings = [[4, 4], [4, 5], [5, 4], [4, 4], [3, 3]]
    assert rwg_j(ratings, scale_points=5) == pytest.approx(6 / 7)


def test_rwg_j_grows_with_the_number_of_equally_agreeing_items() -> None:
    one_item = rwg_j([[4], [5], [4], [3], [4]], scale_points=5)
    four_items = rwg_j(np.tile([[4], [5], [4], [3], [4]], (1, 4)), scale_points=5)
    assert one_item == pytest.approx(0.75)
    assert four_items > one_item


def test_rwg_j_truncates_to_zero_and_is_nan_without_pairs() -> None:
    assert rwg_j([[1, 1], [5, 5], [1, 1], [5, 5]], scale_points=5) == 0.0
    assert math.isnan(rwg_j([[1, NAN], [NAN, 2]], scale_points=5))
    with pytest.raises(ValueError, match="2-D"):
        rwg_j([1, 2, 3], scale_points=5)


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_alpha_reproduces_the_published_reference(level: str, expected: float) -> None:
    # Krippendorff (2011), section C; DOMAIN.md reference vector.
    assert krippendorff_alpha(KRIPPENDORFF_2011, level=level) == pytest.approx(expected, abs=5e-4)  # type: ignore[arg-type]


def test_krippendorff_alpha_is_one_for_perfect_agreement_and_ignores_lone_values() -> None:
    data = [[1, 2, 3, NAN], [1, 2, 3, 4], [NAN, 2, 3, NAN]]
    for level in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(data, level=level) == pytest.approx(1.0)  # type: ignore[arg-type]


def test_krippendorff_alpha_is_undefined_without_variation_or_with_a_single_unit() -> None:
    assert math.isnan(krippendorff_alpha([[2, 2, 2], [2, 2, 2]]))
    assert math.isnan(krippendorff_alpha([[1, NAN], [3, NAN], [2, 5]]))
    assert math.isnan(krippendorff_alpha([[NAN, NAN], [NAN, NAN]]))


def test_krippendorff_alpha_is_negative_for_systematic_disagreement() -> None:
    assert krippendorff_alpha([[1, 2, 1, 2], [2, 1, 2, 1]], level="nominal") < 0


def test_krippendorff_ordinal_alpha_depends_only_on_the_order_of_codes() -> None:
    data = np.array(KRIPPENDORFF_2011)
    stretched = np.where(data == 5, 50.0, data)
    assert krippendorff_alpha(stretched, level="ordinal") == pytest.approx(
        krippendorff_alpha(data, level="ordinal")
    )
    assert krippendorff_alpha(stretched, level="interval") != pytest.approx(
        krippendorff_alpha(data, level="interval")
    )


def test_krippendorff_alpha_rejects_unknown_levels_and_bad_shapes() -> None:
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha(KRIPPENDORFF_2011, level="ratio")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="raters x units"):
        krippendorff_alpha([1, 2, 3])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(1, 5), min_size=4, max_size=4),
        min_size=2,
        max_size=6,
    )
)
def test_krippendorff_alpha_never_exceeds_one_and_rwg_stays_in_bounds(
    rows: list[list[int]],
) -> None:
    data = np.array(rows, dtype=float)
    for level in ("nominal", "ordinal", "interval"):
        alpha = krippendorff_alpha(data, level=level)  # type: ignore[arg-type]
        assert math.isnan(alpha) or alpha <= 1.0 + 1e-12
    agreement = rwg(data, scale_points=5)
    assert np.all((agreement >= 0) & (agreement <= 1))


def test_agreement_report_flags_low_agreement_questions_and_pillars() -> None:
    ratings = [[4, 1, 3], [4, 5, 3], [5, 1, 3], [4, 5, 4], [3, 1, 3]]
    report = agreement_report(
        ratings,
        question_codes=["Q1", "Q2", "Q3"],
        pillar_of_question=["people", "people", "policy"],
        scale_points=5,
    )
    assert [question.code for question in report.questions] == ["Q1", "Q2", "Q3"]
    assert_allclose([question.rwg for question in report.questions], [0.75, 0.0, 0.9])
    assert report.flagged_questions == ("Q2",)
    assert report.rwg_threshold == LOW_AGREEMENT_THRESHOLD
    people, policy = report.pillars
    assert people.question_codes == ("Q1", "Q2")
    assert people.rwg_j == 0.0  # mean variance (0.5 + 4.8) / 2 > 2
    assert people.low_agreement
    assert policy.rwg_j == pytest.approx(0.9)
    assert math.isnan(policy.alpha)  # one question: alpha is undefined, so it does not flag
    assert not policy.low_agreement
    assert report.alpha == pytest.approx(krippendorff_alpha(ratings, level="ordinal"))


def test_agreement_report_marks_questions_with_too_few_ratings() -> None:
    report = agreement_report(
        [[4, NAN], [4, 2]], question_codes=["A", "B"], pillar_of_question=["P", "P"], scale_points=5
    )
    assert not report.questions[0].too_few_ratings
    assert report.questions[1].too_few_ratings
    assert not report.questions[1].low_agreement


def test_agreement_report_requires_one_code_per_column() -> None:
    with pytest.raises(ValueError, match="3 question columns but 2 question codes"):
        agreement_report(
            [[1, 2, 3]], question_codes=["A", "B"], pillar_of_question=["P"] * 3, scale_points=5
        )
    with pytest.raises(ValueError, match="unique"):
        agreement_report(
            [[1, 2]], question_codes=["A", "A"], pillar_of_question=["P", "P"], scale_points=5
        )


RESPONSES = np.array(
    [
        [50.0, 100.0, 0.0, 25.0],
        [50.0, 75.0, 25.0, NAN],
        [100.0, 75.0, 25.0, 50.0],
        [50.0, 100.0, 0.0, 50.0],
        [75.0, 50.0, 50.0, 25.0],
        [25.0, 100.0, 0.0, 75.0],
    ]
)
PILLARS = ["people", "people", "policy", "policy"]


def test_bootstrap_estimate_is_the_weighted_mean_of_item_means() -> None:
    result = bootstrap_pillar_scores(
        RESPONSES, pillar_of_item=PILLARS, item_weights=[1, 3, 1, 1], n_resamples=200, seed=1
    )
    item_means = np.nanmean(RESPONSES, axis=0)
    assert result.pillar_codes == ("people", "policy")
    assert_allclose(
        result.estimate,
        [(item_means[0] + 3 * item_means[1]) / 4, (item_means[2] + item_means[3]) / 2],
    )
    assert np.all(result.low <= result.estimate)
    assert np.all(result.estimate <= result.high)
    assert np.all(result.standard_error > 0)
    assert (result.seed, result.n_resamples, result.n_respondents) == (1, 200, 6)


def test_bootstrap_interval_matches_a_loop_over_resampled_respondents() -> None:
    # Re-draw the same resamples scipy draws (same seed, same Generator calls) and compute
    # the percentile interval by hand.
    result = bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS, n_resamples=300, seed=5)
    index = np.random.default_rng(5).integers(0, 6, size=(300, 6))
    scores = []
    for rows in index:
        item_means = np.nanmean(RESPONSES[rows], axis=0)
        scores.append([np.nanmean(item_means[:2]), np.nanmean(item_means[2:])])
    low, high = np.percentile(np.array(scores), [2.5, 97.5], axis=0)
    assert_allclose(result.low, low)
    assert_allclose(result.high, high)


def test_bootstrap_with_the_same_seed_is_identical_and_differs_with_another() -> None:
    first = bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS, n_resamples=200, seed=3)
    again = bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS, n_resamples=200, seed=3)
    other = bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS, n_resamples=200, seed=4)
    assert_array_equal(first.low, again.low)
    assert_array_equal(first.high, again.high)
    assert not np.array_equal(first.standard_error, other.standard_error)


def test_bootstrap_interval_collapses_when_every_respondent_agrees() -> None:
    result = bootstrap_pillar_scores(
        np.full((5, 2), 60.0), pillar_of_item=["P", "P"], n_resamples=100
    )
    assert_allclose([result.low[0], result.estimate[0], result.high[0]], [60.0, 60.0, 60.0])


def test_bootstrap_accepts_a_custom_vectorised_score_function() -> None:
    def best_item(responses: np.ndarray) -> np.ndarray:
        return np.nanmax(np.nanmean(responses, axis=-2), axis=-1, keepdims=True)

    result = bootstrap_pillar_scores(
        RESPONSES, pillar_of_item=["all"] * 4, score_function=best_item, n_resamples=100
    )
    assert result.estimate.tolist() == [pytest.approx(np.nanmax(np.nanmean(RESPONSES, axis=0)))]


def test_bootstrap_validates_its_inputs() -> None:
    with pytest.raises(ValueError, match="at least 2 respondents"):
        bootstrap_pillar_scores([[1.0, 2.0]], pillar_of_item=["P", "P"])
    with pytest.raises(ValueError, match="4 item columns but pillar_of_item has 3"):
        bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS[:3])
    with pytest.raises(ValueError, match="item_weights"):
        bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS, item_weights=[1, -1, 1, 1])
    with pytest.raises(ValueError, match="either item_weights or score_function"):
        bootstrap_pillar_scores(
            RESPONSES,
            pillar_of_item=PILLARS,
            item_weights=[1, 1, 1, 1],
            score_function=lambda r: np.nanmean(r, axis=(-2, -1))[..., None],
        )
    with pytest.raises(ValueError, match="one score per pillar"):
        bootstrap_pillar_scores(
            RESPONSES, pillar_of_item=PILLARS, score_function=lambda r: np.nanmean(r, axis=-2)
        )
    with pytest.raises(ValueError, match="confidence_level"):
        bootstrap_pillar_scores(RESPONSES, pillar_of_item=PILLARS, confidence_level=95)
