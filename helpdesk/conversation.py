"""Names shared by the dialogue (domain.yml) and the code: slots, intents, languages.

Tests check that domain.yml declares each of these, so a rename cannot silently break.
"""

from __future__ import annotations

LANGUAGE_SLOT = "language"
ERASURE_SLOT = "erasure_completed"
SUPPORTED_LANGUAGES = ("en", "es")

USE_CASE_INTENTS = (
    "report_damaged_product",
    "report_software_error",
    "report_payment_problem",
    "request_return",
    "report_appliance_fault",
)

INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    *USE_CASE_INTENTS,
    "request_human",
    "delete_my_data",
    "out_of_scope",
    "skip",
    "cancel",
    "rate",
    "handoff_ended",
    "media_shared",
    "location_shared",
    "contacts_shared",
    "flow_completed",
    # The ways on when media is not at hand (helpdesk.capture.deadends).
    "cannot_send_now",
    "continue_without_media",
    "send_media_later",
)
