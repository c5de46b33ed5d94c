"""SQLAlchemy models, one module per feature, all on one declarative ``Base``.

Importing this package registers every table on ``Base.metadata`` (Alembic's autogenerate
and the tests use it). Schema changes go through a new migration in ``migrations/versions``.
"""

from helpdesk.db.models.audit import AuditEvent
from helpdesk.db.models.authenticity import MediaFingerprint
from helpdesk.db.models.base import Base
from helpdesk.db.models.customers import Customer, ErasureRecord
from helpdesk.db.models.media import MediaRecord
from helpdesk.db.models.outcomes import CaseOutcome
from helpdesk.db.models.reporting import ReportCount, ReportDirtyDay, ReportState, ReportTicketTime
from helpdesk.db.models.tickets import (
    Agent,
    ApiToken,
    LoginAttempt,
    MediaView,
    Ticket,
    TicketMessage,
    WebhookDelivery,
)
from helpdesk.db.models.whatsapp import (
    ButtonId,
    InboxMessage,
    OutboundMessage,
    Reaction,
    WhatsAppIdentity,
)

__all__ = [
    "ReportCount",
    "ReportDirtyDay",
    "ReportState",
    "ReportTicketTime",
    "Agent",
    "AuditEvent",
    "ApiToken",
    "LoginAttempt",
    "MediaView",
    "Ticket",
    "TicketMessage",
    "WebhookDelivery",
    "Base",
    "ButtonId",
    "CaseOutcome",
    "Customer",
    "ErasureRecord",
    "InboxMessage",
    "MediaFingerprint",
    "MediaRecord",
    "OutboundMessage",
    "Reaction",
    "WhatsAppIdentity",
]
