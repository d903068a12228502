from planning.models.interventions import (  # noqa: F401
    DeliveryChannel,
    Intervention,
    InterventionKind,
)
from planning.models.offers import (  # noqa: F401
    DeliveryMode,
    DemandRule,
    Offer,
    OfferLevel,
    Provider,
    ProviderKind,
)
