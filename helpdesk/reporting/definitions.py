"""What each dashboard figure means: shown under its chart and written in README.md
("Dashboard and metrics"); the ``/metrics`` names are listed next to them."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "volume": "Conversations: customers who wrote on WhatsApp that day (only the language "
    "filter applies: a conversation has no use case or queue until it becomes a case). "
    "Cases: handed-off tickets, dated by the handoff, plus cases the bot solved on its own, "
    "dated by the resolution.",
    "cases_by_use_case": "Cases per day, by the use case the bot recognised.",
    "cases_by_language": "Cases per day, by the conversation's language (the customer's "
    "for bot-solved cases).",
    "cases_by_queue": "Cases per day, by the agents' queue; cases the bot solved are "
    "the pseudo-queue “bot”.",
    "outcomes": "Bot containment: cases the bot solved without a person ÷ all cases. "
    "Handoff rate: cases handed to a person ÷ all cases (the two add up to 100 %). "
    "First-contact resolution: cases solved in one contact (by the bot, or by an agent "
    "after a single handoff: never handed back to the bot and handed off again) ÷ solved "
    "cases. Cases a customer abandons before a handoff or a fix are not counted.",
    "handoff_reasons": "Why cases went to a person: the customer asked; capture failed "
    "(the photos or answers could not be gathered); triage found nothing (no known fix, "
    "or the fixes tried did not help); safety or fraud (a knowledge-base entry that always "
    "hands off, or authenticity signals that put the case on the fraud-review queue).",
    "response_times": "First response: from the handoff to the first agent reply — the "
    "time the customer spent with the bot before the handoff is not counted. Resolution: "
    "from the handoff to the agent's resolution. Median and 90th percentile (linear "
    "between ranks) over tickets handed off in the range that have a reply / a "
    "resolution; with “business hours only”, only time within HELPDESK_BUSINESS_HOURS "
    "(HELPDESK_TIMEZONE) counts.",
    "satisfaction": "Scores (1–5) customers gave in the range, after the bot solved the "
    "case or an agent resolved it.",
    "csat_by_queue": "CSAT: ratings of 4 or 5 ÷ all ratings, by the case's queue.",
    "csat_by_agent": "CSAT by the agent the ticket was assigned to; “bot” for cases the "
    "bot solved.",
    "media_received": "Files customers sent on WhatsApp in the range, by the use case of "
    "the case they were sent for (the customer's next handoff, else the next case the bot "
    "solved; “no case” when none followed yet): accepted, refused by the analysis, or not "
    "analysed.",
    "media_refusals": "Why files were refused (each blocking problem the analysis found: "
    "too dark, blurry, no text…), by use case — the instruction to rewrite first is the "
    "one with the most refusals.",
    "authenticity": "Authenticity signals on handed-off cases (reused photo, edited file, "
    "amounts that do not match…): the ticket's flags, each signal once per ticket, by code "
    "and severity (strong ones send the case to the fraud-review queue; “unknown”: flagged "
    "before severities were written), dated by the handoff. The same count is "
    "helpdesk_authenticity_signals on /metrics.",
    "cost": "What Meta bills: delivered messages its status webhooks marked billable, "
    "priced with WHATSAPP_PRICES by the customer's market. Per case: cost ÷ customers "
    "written to; per resolved case: cost ÷ cases resolved (bot or agent), both in the "
    "range. Use case, language and queue filters do not apply (a message has none).",
}
