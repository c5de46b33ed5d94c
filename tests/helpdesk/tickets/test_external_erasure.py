"""Defect 5: erasure reaches the tickets and the requester in Zendesk / Freshdesk."""

from __future__ import annotations

import pytest

from helpdesk.db import session_scope
from helpdesk.erasure import erase_customer
from helpdesk.errors import TicketingError
from helpdesk.tickets import core
from tests.helpdesk.tickets import test_backends
from tests.helpdesk.tickets.test_backends import CUSTOMER, open_case, photo

zendesk_fake = test_backends.zendesk_fake
freshdesk_fake = test_backends.freshdesk_fake


def _two_cases(database_url: str) -> list[str]:
    media_id, _ = photo(database_url)
    first = open_case(database_url, [media_id])
    with session_scope(database_url) as session:
        core.close_ticket(session, ticket_id=first.ticket_id)
    second = open_case(database_url, [])
    return [first.external_id, second.external_id]


def test_zendesk_tickets_and_requester_are_deleted_for_good(database_url, zendesk_fake) -> None:
    _, state = zendesk_fake
    _two_cases(database_url)
    assert state.tickets and state.users
    report = erase_customer(sender_id=CUSTOMER, url=database_url)
    assert report.deleted["helpdesk.tickets.handoff:erase_external"] == 6  # 2 tickets x 2, user x 2
    assert state.tickets == {} and state.deleted_tickets == {} and state.comments == {}
    assert state.users == {} and state.deleted_users == {}


def test_freshdesk_tickets_and_contact_are_deleted_for_good(database_url, freshdesk_fake) -> None:
    _, state = freshdesk_fake
    _two_cases(database_url)
    assert state.tickets and state.contacts
    erase_customer(sender_id=CUSTOMER, url=database_url)
    assert state.tickets == {} and state.trash == {} and state.conversations == {}
    assert state.contacts == {}


def test_when_zendesk_refuses_nothing_is_erased_and_the_failure_is_said(
    database_url, zendesk_fake
) -> None:
    _, state = zendesk_fake
    _two_cases(database_url)
    state.token = "revoked"
    with pytest.raises(TicketingError):
        erase_customer(sender_id=CUSTOMER, url=database_url)
    with session_scope(database_url) as session:  # all or nothing: try again later
        assert core.active_ticket_for(session, sender_id=CUSTOMER) is not None
