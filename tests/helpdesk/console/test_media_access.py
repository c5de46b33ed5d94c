"""Defect 12: an agent opens only media that was handed off on a ticket, and every view is
audited with that ticket."""

from __future__ import annotations

from helpdesk.db import session_scope
from helpdesk.db.models import MediaView
from tests.helpdesk.console.conftest import Stack, hand_off, label_photo, store_customer_media

CUSTOMER = "15557654322"
OTHER = "15557654323"


def test_only_handed_off_media_opens_and_the_view_names_its_ticket(stack: Stack) -> None:
    stack.agent()
    on_ticket = store_customer_media(stack.database_url, CUSTOMER, label_photo(), analyse=False)
    never_handed_off = store_customer_media(
        stack.database_url, OTHER, label_photo(("PRIVATE", "NOT FOR AGENTS")), analyse=False
    )
    ticket = hand_off(stack.database_url, CUSTOMER, media_ids=[on_ticket])
    client = stack.sign_in()
    assert client.get(f"/media/{on_ticket}").status_code == 200
    refused = client.get(f"/media/{never_handed_off}")
    assert refused.status_code == 404  # the same answer as for an id that does not exist
    assert refused.content != b"" and b"PRIVATE" not in refused.content
    with session_scope(stack.database_url) as session:
        views = [(v.media_id, v.ticket_id) for v in session.query(MediaView).all()]
    assert views == [(on_ticket, ticket)]
