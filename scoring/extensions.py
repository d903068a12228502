"""Where the floors above scoring plug into score runs, registered in their ``AppConfig.ready()``.

``scoring`` never imports ``planning`` or ``reports`` (see ``.importlinter``). Work those floors
do once a run is stored (keeping the planner's plan, warming the kept pages) is registered here
by their app (``planning.apps``); with nothing registered, a run simply ends when it is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from background.services import Progress
from surveys.models import Assessment

__all__ = ["AFTER_ASSESSMENT_RUN", "AFTER_COHORT_RUN"]

# (assessment, progress) → None, after an assessment's run is stored (in the worker).
AFTER_ASSESSMENT_RUN: list[Callable[[Assessment, Progress], None]] = []
# (framework id, round) → None, after a round's cohort run is stored (in the worker).
AFTER_COHORT_RUN: list[Callable[[int, int], None]] = []
