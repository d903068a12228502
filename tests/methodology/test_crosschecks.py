"""The engine agrees with independent implementations on random cases (issue 17, item 12).

The peers are dev dependencies (requirements-dev.txt); the checks live in
``tests/methodology/crosschecks.py``, which also prints the table for the closing note.
"""

from __future__ import annotations

import warnings

import pytest

from tests.methodology.crosschecks import CHECKS

#: Rounding only: every check computes the same formula in another order.
AGREEMENT = 1e-9


@pytest.mark.parametrize("name", list(CHECKS))
def test_the_engine_agrees_with_its_peer_on_random_cases(name: str) -> None:
    _, check = CHECKS[name]
    with warnings.catch_warnings():
        # The peers warn about their own deprecated calls; not ours to fix.
        warnings.simplefilter("ignore")
        cases, worst = check()
    assert cases >= 100
    assert worst < AGREEMENT, f"{name}: largest difference {worst:.3g} over {cases} cases"
