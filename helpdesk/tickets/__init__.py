"""Tickets: the handoff from the bot to people, and back.

Python API for the Rasa side (database functions take a SQLAlchemy ``Session`` from
``helpdesk.db.session_scope()``; see ``helpdesk.tickets.core`` for each one's contract)::

    from helpdesk.tickets import core
    core.open_ticket(session, *, sender_id, use_case, queue, priority, summary, transcript,
                     media_ids, fields, kb_matches, trigger, fixes=(), flags=(), language="en")
    core.active_ticket_for(session, *, sender_id)        # -> Ticket | None (bot paused)
    core.record_customer_message(session, *, sender_id, text=None, media_id=None)
    core.close_ticket(session, *, ticket_id, agent_id=None, resolved=True)
    core.hand_back(session, *, ticket_id, agent_id=None)
    core.cancel_ticket(session, *, sender_id)

    # one transaction each, plus the Zendesk/Freshdesk mirror and the customer notice:
    from helpdesk.tickets.handoff import hand_off, customer_message, cancel

    # agent side (the console uses these):
    from helpdesk.tickets.relay import deliver, resume_bot, set_resume_hook
"""
