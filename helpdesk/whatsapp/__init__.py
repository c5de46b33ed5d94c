"""The WhatsApp Cloud API side of the product, independent of Rasa.

- ``signature``: X-Hub-Signature-256 signing and constant-time verification.
- ``webhook``: parse a webhook body into inbound messages and statuses.
- ``payloads``: build /messages bodies within Meta's limits.
- ``graph``: async Graph API client (pacing, retries, Meta's error codes).
- ``inbox``: the durable inbox (store before acknowledging) and its worker.
- ``inbound``: turn a stored message into what the dialogue engine receives.
- ``outbound``: records of sent messages, statuses, button ids, the 24-hour window, and
  ``Sender`` which the Rasa output channel (and the agent console) use to reply.
"""
