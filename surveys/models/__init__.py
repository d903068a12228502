from surveys.models.assessments import (  # noqa: F401
    EDITABLE_STATES,
    Answer,
    AnswerStatus,
    Assessment,
    AssessmentState,
    StateTransition,
)
from surveys.models.audit import AuditChainHead, AuditEvent, AuditTrailIsAppendOnly  # noqa: F401
from surveys.models.countries import Country, IncomeGroup, ItuRegion  # noqa: F401
from surveys.models.frameworks import (  # noqa: F401
    Framework,
    FrameworkStatus,
    Indicator,
    Pillar,
    Question,
    SubPillar,
)
from surveys.models.review import Query, QueryMessage, QueryStatus, UserPreference  # noqa: F401
from surveys.models.roles import COUNTRY_SCOPED_ROLES, Role, RoleAssignment  # noqa: F401
from surveys.models.survey import (  # noqa: F401
    Evidence,
    EvidenceKind,
    OrganisationType,
    StakeholderAnswer,
    StakeholderInvitation,
    WizardDraft,
)
from surveys.models.tokens import ApiToken, TokenScope  # noqa: F401
