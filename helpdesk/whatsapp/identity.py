"""Who a WhatsApp customer is: one identity behind a phone number, a BSUID, or both.

Since April 2026 Meta's webhooks carry a business-scoped user id (BSUID: ``contacts[].user_id``,
``messages[].from_user_id``; ``US.13491208655302741918``, or ``US.ENT.…`` for a parent id
shared by managed businesses) and, for users who adopted one, ``profile.username``. A user
with a username may have no phone number in the webhook at all; a user who changes number
gets a new BSUID. ``observe`` ties all of these to one row whose ``key`` never changes: the
rest of the product (inbox order, tickets, Rasa's ``sender_id``) keeps seeing one customer.

``address`` answers the other direction: how to address a message to a key — ``to`` when a
phone number is known, ``recipient`` (the BSUID) when it is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import delete, or_, select, text
from sqlalchemy.orm import Session

from helpdesk.db.models import WhatsAppIdentity
from helpdesk.db.models.base import utcnow
from helpdesk.whatsapp.ids import is_bsuid, is_phone
from helpdesk.whatsapp.webhook import Inbound

MAX_USERNAME = 64


@dataclass(frozen=True)
class Address:
    """Where a message to a customer goes: ``phone`` wins (Meta: ``to`` wins over
    ``recipient``), else the BSUID."""

    key: str
    phone: str | None = None
    user_id: str | None = None
    username: str | None = None


def clean_username(value: object) -> str | None:
    """A username as shown to agents and the bot: text only, no control characters, capped
    (it comes from a webhook, so it is untrusted)."""
    if not isinstance(value, str):
        return None
    text = "".join(ch for ch in value if ch.isprintable()).strip()[:MAX_USERNAME]
    return text or None


def profiles(session: Session, *, keys: Iterable[str]) -> dict[str, Address]:
    """What is known of each customer key: username, phone number, BSUID. Nothing is
    guessed from a key that is neither (web chat and REST customers have none)."""
    wanted = {k for k in keys if k}
    found: dict[str, Address] = {}
    if wanted:
        rows = session.execute(
            select(WhatsAppIdentity).where(WhatsAppIdentity.key.in_(wanted))
        ).scalars()
        for row in rows:
            found[row.key] = Address(
                key=row.key,
                phone=row.phone,
                user_id=row.user_id,
                username=clean_username(row.username),
            )
    for key in wanted - set(found):
        found[key] = key_profile(key)
    return found


def key_profile(key: str) -> Address:
    """What a key without an identity row says of itself: a number, a BSUID, or neither."""
    return Address(
        key=key, phone=key if is_phone(key) else None, user_id=key if is_bsuid(key) else None
    )


def _clean(phone: str | None, user_id: str | None) -> tuple[str | None, str | None]:
    # Untrusted webhook values: anything not shaped like a number / BSUID is ignored.
    phone = str(phone).lstrip("+") if is_phone(phone) else None
    user_id = str(user_id) if is_bsuid(user_id) else None
    return phone, user_id


def _by(session: Session, column, value: str | None) -> WhatsAppIdentity | None:  # type: ignore[no-untyped-def]
    if not value:
        return None
    return session.execute(
        select(WhatsAppIdentity).where(column == value, WhatsAppIdentity.merged_into.is_(None))
    ).scalar_one_or_none()


def _by_key(
    session: Session, *, key: str, row: WhatsAppIdentity | None = None
) -> WhatsAppIdentity | None:
    """The live identity behind ``key`` (whose row the caller may have read already):
    keys never change, but the row holding one may have been merged into an older
    identity, or have moved to another number since."""
    if row is None:
        row = session.execute(
            select(WhatsAppIdentity).where(WhatsAppIdentity.key == key)
        ).scalar_one_or_none()
    seen: set[int] = set()
    while row is not None and row.merged_into is not None and row.id not in seen:
        seen.add(row.id)
        row = session.get(WhatsAppIdentity, row.merged_into)
    return row


def observe(
    session: Session,
    *,
    phone: str | None = None,
    user_id: str | None = None,
    username: str | None = None,
    parent_user_id: str | None = None,
) -> str | None:
    """The customer's key for what a webhook says about them, recording what is new.

    Returns None when neither identifier is usable (the caller keeps its own id).
    """
    phone, user_id = _clean(phone, user_id)
    if not phone and not user_id:
        return None
    key = phone or str(user_id)
    parent = parent_user_id if is_bsuid(parent_user_id) else None
    username = str(username)[:MAX_USERNAME] if username else None
    known = _observe_plainly(session, key=key, phone=phone, user_id=user_id, parent=parent,
                             username=username)  # fmt: skip
    if known is not None:
        return known
    # One query for the three rows that may be this customer's: it runs in every webhook's
    # acknowledgement, where each round trip to the database counts.
    conditions = [WhatsAppIdentity.key == key]
    if phone:
        conditions.append(WhatsAppIdentity.phone == phone)
    if user_id:
        conditions.append(WhatsAppIdentity.user_id == user_id)
    rows = session.execute(select(WhatsAppIdentity).where(or_(*conditions))).scalars().all()
    live = [r for r in rows if r.merged_into is None]
    by_phone = next((r for r in live if phone and r.phone == phone), None)
    by_user = next((r for r in live if user_id and r.user_id == user_id), None)
    keyed = next((r for r in rows if r.key == key), None)
    row = by_phone or by_user
    if by_phone is not None and by_user is not None and by_phone.id != by_user.id:
        # One person known under two keys (seen by BSUID before Meta shared the number):
        # keep the older key; the newer row stays only as a pointer for erasure.
        row, other = sorted((by_phone, by_user), key=lambda r: r.id)
        other.merged_into = row.id
        other.phone = other.user_id = None
        session.flush()
    if row is None and keyed is not None:
        row = _by_key(session, key=key, row=keyed)
    if row is None:
        row = WhatsAppIdentity(key=key)
        session.add(row)
    if phone:
        row.phone = phone
    if user_id:
        row.user_id = user_id  # a new BSUID after a number change replaces the old one
    if parent:
        row.parent_user_id = parent
    if username:
        row.username = username
    session.flush()
    return row.key


# ``observe`` runs in every message webhook's acknowledgement: its two usual cases (a
# customer seen before, unchanged; a first contact) in plain SQL, without the ORM.
_CANDIDATES = text(
    'SELECT id, "key", phone, user_id, parent_user_id, username, merged_into '
    'FROM whatsapp_identities WHERE "key" = :key OR phone = :phone OR user_id = :user_id'
)
_NEW_IDENTITY = text(
    'INSERT INTO whatsapp_identities ("key", phone, user_id, parent_user_id, username, '
    "created_at, updated_at) VALUES (:key, :phone, :user_id, :parent, :username, :now, :now)"
)


def _observe_plainly(
    session: Session,
    *,
    key: str,
    phone: str | None,
    user_id: str | None,
    parent: str | None,
    username: str | None,
) -> str | None:
    """``observe`` when the customer is new or known exactly as the webhook says (the key);
    None when something changes (a merge, a new number or BSUID): ``observe``'s ORM way."""
    if session.new or session.dirty:
        return None  # this transaction has identity rows of its own not yet written
    params = {"key": key, "phone": phone, "user_id": user_id}
    rows = session.execute(_CANDIDATES, params).all()
    if not rows:
        session.execute(
            _NEW_IDENTITY, {**params, "parent": parent, "username": username, "now": utcnow()}
        )
        return key
    if len(rows) != 1:
        return None
    row = rows[0]
    unchanged = (
        row.merged_into is None
        and row.key == key
        and (phone is None or row.phone == phone)
        and (user_id is None or row.user_id == user_id)
        and (parent is None or row.parent_user_id == parent)
        and (username is None or row.username == username)
    )
    return key if unchanged else None


def change_number(
    session: Session, *, key: str, new_phone: str | None = None, new_user_id: str | None = None
) -> None:
    """Meta's ``user_changed_number`` / ``user_changed_user_id`` system messages: the same
    customer, reachable under a new number or BSUID from now on."""
    new_phone, new_user_id = _clean(new_phone, new_user_id)
    row = _by(session, WhatsAppIdentity.key, key)
    if row is None:
        return
    for column, value in (
        (WhatsAppIdentity.phone, new_phone),
        (WhatsAppIdentity.user_id, new_user_id),
    ):
        holder = _by(session, column, value)
        if holder is not None and holder.id != row.id:
            holder.merged_into = row.id
            holder.phone = holder.user_id = None
    session.flush()
    if new_phone:
        row.phone = new_phone
        if not new_user_id:
            row.user_id = None  # Meta issues a new BSUID with a new number; wait for it
    if new_user_id:
        row.user_id = new_user_id


def key_for(session: Session, *, identifier: str) -> str | None:
    """The key behind a phone number, a BSUID or a key (None when unknown)."""
    identifier = str(identifier).lstrip("+")
    row = (
        session.execute(
            select(WhatsAppIdentity).where(
                or_(
                    WhatsAppIdentity.key == identifier,
                    WhatsAppIdentity.phone == identifier,
                    WhatsAppIdentity.user_id == identifier,
                )
            )
        )
        .scalars()
        .first()
    )
    if row is None:
        return None
    while row.merged_into is not None:
        parent = session.get(WhatsAppIdentity, row.merged_into)
        if parent is None:
            break
        row = parent
    return row.key


def keys_for(session: Session, *, identifier: str) -> list[str]:
    """Every key the person behind ``identifier`` has data under (for erasure); just
    ``[identifier]`` for a customer the channel has no identity for (web chat, REST)."""
    key = key_for(session, identifier=identifier)
    if key is None:
        return [identifier]
    root = _by(session, WhatsAppIdentity.key, key)
    keys = [key]
    if root is not None:
        merged = session.execute(
            select(WhatsAppIdentity.key).where(WhatsAppIdentity.merged_into == root.id)
        ).scalars()
        keys += [k for k in merged if k != key]
    return keys


def address(session: Session, *, key: str) -> Address:
    # Plain SQL: asked before every reply, where the ORM's select cost more to build.
    row = session.execute(_ADDRESS, {"key": key}).first()
    if row is not None:
        return Address(key=key, phone=row.phone, user_id=row.user_id, username=row.username)
    # No identity yet (a customer from before identities, or a test): the key says it.
    if is_bsuid(key):
        return Address(key=key, user_id=key)
    return Address(key=key, phone=key)


_ADDRESS = text(
    "SELECT phone, user_id, username FROM whatsapp_identities "
    'WHERE "key" = :key AND merged_into IS NULL'
)


def erase(session: Session, *, sender_id: str) -> int:
    """Erasure step: the identity row (phone number, BSUID, username) and rows merged into it."""
    row = session.execute(
        select(WhatsAppIdentity).where(WhatsAppIdentity.key == sender_id)
    ).scalar_one_or_none()
    if row is None:
        return 0
    deleted = (
        session.execute(
            delete(WhatsAppIdentity).where(WhatsAppIdentity.merged_into == row.id)
        ).rowcount
        or 0
    )
    session.delete(row)
    return deleted + 1


def identify(session: Session, *, message: Inbound) -> Inbound:
    """``message`` under its customer's key; a number/BSUID change recorded on the way."""
    key = observe(
        session,
        phone=message.phone,
        user_id=message.user_id,
        username=message.username,
        parent_user_id=message.parent_user_id,
    )
    if key is None:
        return message
    if message.type == "system":
        system = message.message.get("system") or {}
        if isinstance(system, dict) and system.get("type") in (
            "user_changed_number",
            "user_changed_user_id",
        ):
            change_number(
                session,
                key=key,
                new_phone=system.get("wa_id"),
                new_user_id=system.get("user_id"),
            )
    return replace(message, sender_id=key)
