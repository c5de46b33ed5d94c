"""Each Zendesk/Freshdesk webhook delivery relayed once, across every replica.

A delivery is claimed by inserting its body's digest under a unique key before anything is
sent; a second replica (or a retry that arrives while the first send is still waiting on
WhatsApp) fails that insert and drops the body. A claim lasts ``window`` seconds (Zendesk's
signature freshness window: older requests are refused anyway), and a claim whose relay
failed is released so the service's own retry can deliver it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.db.models import WebhookDelivery
from helpdesk.db.models.base import utcnow


def digest_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def claim(session: Session, *, backend: str, body: bytes, window: float) -> bool:
    """``True`` when this call is the first to see ``body`` within ``window`` seconds.

    Commits: the claim must be visible to the other replicas before the relay starts."""
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.received_at < utcnow() - timedelta(seconds=window)
        )
    )
    session.commit()
    session.add(WebhookDelivery(backend=backend, digest=digest_of(body)))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release(session: Session, *, backend: str, body: bytes) -> None:
    """Forget a claim whose relay failed, so that a retry of the same body is delivered."""
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.backend == backend, WebhookDelivery.digest == digest_of(body)
        )
    )
