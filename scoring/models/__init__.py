from scoring.models.runs import (  # noqa: F401
    SCORE_VALUE_FIELDS,
    AgreementResult,
    AgreementScope,
    RunKind,
    RunStatus,
    RunTrigger,
    Score,
    ScoreLevel,
    ScoreRun,
)
from scoring.models.statistics import IndicatorStatistic  # noqa: F401
