"""The show_if language: parsing, safe rejection of anything else, and three-valued evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.frameworks.expressions import (
    And,
    Compare,
    ExpressionError,
    Literal,
    Membership,
    Name,
    Not,
    Or,
    evaluate,
    find_cycles,
    is_true,
    parse,
    references,
    visible_question_codes,
)
from surveys.frameworks.loader import load_framework_file
from surveys.frameworks.spec import Missing
from tests.frameworks.helpers import FIXTURES


def test_and_binds_tighter_than_or() -> None:
    node = parse("A == 1 or B == 2 and C == 3")
    assert isinstance(node, Or)
    assert isinstance(node.operands[1], And)


def test_parentheses_override_precedence() -> None:
    node = parse("(A == 1 or B == 2) and C == 3")
    assert isinstance(node, And)
    assert isinstance(node.operands[0], Or)


def test_not_in_is_one_operator() -> None:
    node = parse("X.1 not in ['a', 'b']")
    assert isinstance(node, Membership)
    assert node.negated
    assert node.item == Name("X.1", 0)


def test_literals_are_numbers_strings_and_booleans() -> None:
    assert parse("A == -1.5") == Compare("==", Name("A", 0), Literal(-1.5))
    assert parse('A != "it\\"s"') == Compare("!=", Name("A", 0), Literal('it"s'))
    assert parse("A == true") == Compare("==", Name("A", 0), Literal(True))


def test_references_lists_every_code_read() -> None:
    node = parse("answered(A.1) and (B.2 > 3 or 'x' in C.3) and not D.4 == 'no'")
    assert references(node) == {"A.1", "B.2", "C.3", "D.4"}


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__('os').system('ls')",
        "A.__class__",
        "A.1.__class__ == 1",
        "().__class__",
        "open('x')",
        "eval('1')",
        "exec('x=1')",
        "answered('A')",
        "answered(A, B)",
        "A == 1; B == 2",
        "lambda: 1",
        "A[0] == 1",
        "A == 1 == 2",
        "A +  1 == 2",
        "",
        "   ",
        "A ==",
        "(A == 1",
        "'unterminated",
        "A == 1e999",
    ],
)
def test_anything_outside_the_grammar_is_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse(source)


def test_errors_give_the_column() -> None:
    with pytest.raises(ExpressionError, match="at column 6"):
        parse("A == @")


def test_only_the_three_functions_are_allowed() -> None:
    with pytest.raises(ExpressionError, match="unknown function 'len'; allowed: answered"):
        parse("len(A) > 1")


def test_very_deep_nesting_is_refused_rather_than_crashing() -> None:
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse("(" * 500 + "A == 1" + ")" * 500)
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse("not " * 100 + "A == 1")


def test_overlong_conditions_are_refused() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        parse(" or ".join(["A == 1"] * 1000))


def test_comparisons_evaluate_on_answers() -> None:
    answers = {"L": 3, "P": 42.5, "C": "partial", "M": ["women", "rural"]}
    assert is_true(parse("L >= 3 and L < 4"), answers)
    assert is_true(parse("P > 40"), answers)
    assert is_true(parse("C in ['yes', 'partial']"), answers)
    assert is_true(parse("'rural' in M and 'youth' not in M"), answers)
    assert not is_true(parse("C == 'yes'"), answers)


def test_dont_know_and_not_applicable_make_comparisons_unknown_not_false() -> None:
    node = parse("L >= 3")
    assert evaluate(node, {"L": Missing.DONT_KNOW}) is None
    assert evaluate(node, {"L": Missing.NOT_APPLICABLE}) is None
    assert evaluate(node, {}) is None
    assert evaluate(parse("not L >= 3"), {"L": Missing.DONT_KNOW}) is None


def test_kleene_logic_decides_when_one_side_is_enough() -> None:
    answers = {"A": 1}
    assert evaluate(parse("A == 1 or B == 2"), answers) is True
    assert evaluate(parse("A == 2 and B == 2"), answers) is False
    assert evaluate(parse("A == 1 and B == 2"), answers) is None


def test_state_functions_see_the_special_answers() -> None:
    answers = {"A": Missing.DONT_KNOW, "B": Missing.NOT_APPLICABLE, "C": 0}
    assert is_true(parse("dont_know(A) and not answered(A)"), answers)
    assert is_true(parse("not_applicable(B)"), answers)
    assert is_true(parse("answered(C)"), answers)
    assert is_true(parse("not answered(D)"), answers)


def test_mismatched_types_are_unknown_rather_than_errors() -> None:
    assert evaluate(parse("A > 3"), {"A": "text"}) is None
    assert evaluate(parse("A == 'x'"), {"A": 3}) is None
    assert evaluate(parse("'x' in A"), {"A": 3}) is None


def test_find_cycles_reports_each_cycle_with_its_path() -> None:
    assert find_cycles({"A": {"B"}, "B": {"C"}, "C": {"A"}}) == [["A", "B", "C", "A"]]
    assert find_cycles({"A": {"A"}}) == [["A", "A"]]


def test_hiding_a_question_hides_what_depends_on_it() -> None:
    spec = load_framework_file(FIXTURES / "tiny-v1.yaml")
    shown = visible_question_codes(spec.questions, {"A.2.a": 4, "B.1.a": "no"})
    assert "A.2.b" in shown
    assert "B.1.b" not in shown
    hidden = visible_question_codes(spec.questions, {"A.2.a": Missing.DONT_KNOW})
    assert "A.2.b" not in hidden


answer_values = st.one_of(
    st.integers(-5, 10),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["yes", "partial", "no", "x"]),
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
    st.sampled_from(list(Missing)),
    st.none(),
)


@given(st.dictionaries(st.sampled_from(["A", "B", "C"]), answer_values))
def test_evaluation_never_raises_and_not_inverts_known_results(answers: dict) -> None:
    for source in ["A > 2 and B == 'yes'", "A in [1, 2] or 'a' in C", "A != B", "not (A < B)"]:
        result = evaluate(parse(source), answers)
        assert result in (True, False, None)
        negated = evaluate(Not(parse(source)), answers)
        assert negated == (None if result is None else not result)
