"""The sandbox's memory: conversations, media, and injected faults."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from helpdesk.whatsapp.identity import is_bsuid


def new_wamid() -> str:
    # Real wamids are base64 of an opaque structure; the shape matters, not the content.
    return "wamid.HBgL" + secrets.token_urlsafe(24).replace("-", "A").replace("_", "B")


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(16)


@dataclass
class Media:
    id: str
    data: bytes
    mime: str
    filename: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Fault:
    """An injected failure: ``target`` is messages, media_info, media_download or
    media_upload; ``kind`` is 500, timeout, rate_limit or expired_url."""

    target: str
    kind: str
    count: int = 1
    delay: float = 30.0


@dataclass
class Customer:
    """``wa_id`` is the sandbox's key: the phone number, or the BSUID of a customer who
    uses a username and shares no number (``phone`` None)."""

    wa_id: str
    name: str
    last_inbound: float | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    username: str | None = None

    @property
    def phone(self) -> str | None:
        return None if is_bsuid(self.wa_id) else self.wa_id

    @property
    def user_id(self) -> str:
        """Meta gives every user a BSUID; a phone customer's is derived from the number."""
        if is_bsuid(self.wa_id):
            return self.wa_id
        digits = int(hashlib.sha256(self.wa_id.encode()).hexdigest()[:16], 16)
        return f"US.{digits:020d}"


class Throughput:
    """Meta's per-number throughput (80 messages/s by default) as a token bucket."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.updated = time.monotonic()
        self.refused = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False


class SandboxState:
    def __init__(self, messages_per_second: float = 80.0) -> None:
        self.throughput = Throughput(messages_per_second)
        self.customers: dict[str, Customer] = {}
        self.media: dict[str, Media] = {}
        self.outbound: dict[str, tuple[str, dict[str, Any]]] = {}  # wamid → (wa_id, item)
        self.inbound: dict[str, tuple[str, dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.webhook_log: list[dict[str, Any]] = []

    def customer(
        self, wa_id: str, name: str | None = None, username: str | None = None
    ) -> Customer:
        if wa_id not in self.customers:
            self.customers[wa_id] = Customer(wa_id=wa_id, name=name or f"Customer {wa_id[-4:]}")
        if username:
            self.customers[wa_id].username = username
        return self.customers[wa_id]

    def by_user_id(self, user_id: str) -> Customer | None:
        for customer in self.customers.values():
            if customer.user_id == user_id:
                return customer
        return None

    def add_media(self, data: bytes, mime: str, filename: str | None = None) -> Media:
        media_id = str(10**15 + secrets.randbelow(9 * 10**15))
        media = Media(id=media_id, data=data, mime=mime, filename=filename)
        self.media[media_id] = media
        return media

    def take_fault(self, target: str) -> Fault | None:
        for fault in self.faults:
            if fault.target == target and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def record_inbound(self, wa_id: str, item: dict[str, Any]) -> None:
        customer = self.customer(wa_id)
        customer.items.append(item)
        customer.last_inbound = max(customer.last_inbound or 0, float(item["timestamp"]))
        self.inbound[item["id"]] = (wa_id, item)

    def record_outbound(self, wa_id: str, item: dict[str, Any]) -> None:
        self.customer(wa_id).items.append(item)
        self.outbound[item["id"]] = (wa_id, item)


def now() -> int:
    return int(time.time())
