"""Tickets: the handoff from the bot to people, and back.

**For the Rasa side** (actions / channel adapter). Each call below is one transaction and is
synchronous (database, plus HTTP to Zendesk/Freshdesk when ``HELPDESK_TICKETING`` says so);
from an async action run it in ``asyncio.to_thread``::

    from helpdesk.tickets.handoff import hand_off, customer_message, cancel

    result = hand_off(
        sender_id=tracker.sender_id,            # the WhatsApp id
        use_case="damaged_product",             # the intent / flow name
        queue="returns", priority="high",       # low, normal, high, urgent
        summary="The jar arrived cracked",      # what the customer said, one sentence
        transcript=[{"who": "customer"|"bot", "when": epoch|ISO|datetime,
                     "text": "...", "media_id": 12}, ...],
        media_ids=[12, 13],                     # helpdesk.media.records ids (analysis read)
        fields=[{"type": "serial_number", "value": "SN123"}],
        kb_matches=[{"id": "kb-7", "title": "...", "score": 0.8}],
        fixes=[{"fix": "restart the router", "outcome": "did not help"}],
        flags=["same photo used in another claim"],
        trigger="customer_request",             # or "triage", "capture_failed"
        language="en",                          # or "es": the notice and the resume
    )
    result.ticket_id, result.position, result.notice   # send result.notice to the customer
    # then pause the bot (e.g. a ``handoff_active`` slot / ConversationPaused()).

    # Every customer message while the bot is paused:
    if customer_message(sender_id=..., text=..., media_id=...):
        ...   # an agent has the case: the bot says nothing
    # The customer withdraws ("cancel"):
    cancel(sender_id=...)                       # the closed ticket's id, or None

The same operations on a ``Session`` you already hold are in ``helpdesk.tickets.core``
(``open_ticket``, ``active_ticket_for``, ``record_customer_message``, ``close_ticket``,
``hand_back``, ``cancel_ticket``); they do not call Zendesk/Freshdesk.

**Resuming the bot.** When an agent closes the case (console, API, or Zendesk/Freshdesk
webhook) or hands it back, the console calls ``helpdesk.tickets.relay.resume_bot``:
``POST {HELPDESK_RASA_URL}/conversations/{sender_id}/trigger_intent?output_channel=latest``
with ``{"name": HELPDESK_RESUME_INTENT (default "handoff_ended"), "entities": {"outcome":
"closed" | "handed_back", "language": "en" | "es"}}``. The Rasa side maps that intent to:
unpause, and after ``closed`` ask the 1–5 satisfaction question (buttons); Rasa sends the
answer on the customer's latest channel (WhatsApp). In-process deployments may replace the
call with ``relay.set_resume_hook(async (sender_id, outcome, language) -> bool)``.

**Statuses.** waiting_for_agent → with_agent → resolved | closed; ``open`` after a hand
back (the bot talks again; a new handoff reopens the same ticket).
"""
