from scoring.models.offers import (  # noqa: F401
    DeliveryMode,
    DemandRule,
    Offer,
    OfferLevel,
    Provider,
    ProviderKind,
)
from scoring.models.planning import DeliveryChannel, Intervention, InterventionKind  # noqa: F401
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
