"""The WhatsApp Cloud API side of the product, independent of Rasa.

- ``signature``: X-Hub-Signature-256 signing and constant-time verification.
- ``webhook``: parse a webhook body into inbound messages and statuses.
- ``payloads``: build /messages bodies within Meta's limits.
- ``graph``: async Graph API client (pacing, retries, Meta's error codes).
- ``states``: the inbox's and the outbound messages' statuses (enums).
- ``records``: the rows both directions touch: outbound records and their statuses, button
  ids, reactions, when the customer last wrote, and the channel's erasure step.
- ``inbox``: the durable inbox (store before acknowledging) and its worker.
- ``inbound``: turn a stored message into what the dialogue engine receives.
- ``outbound``: ``Sender``, which the Rasa output channel (and the agent console) use to
  reply within Meta's limits and the 24-hour window.
- ``service``: all of the above wired together (handshake, ``receive`` and the transaction
  that stores a webhook, worker start/stop) for a web framework to mount;
  ``channels/whatsapp.py`` mounts it in Rasa.
- ``writes``: SQLite writes from several threads without busy-handler stalls.
- ``texts``: what the channel itself says to customers (en, es).

Replying from outside Rasa (e.g. the agent console)::

    from helpdesk.whatsapp.graph import GraphClient
    from helpdesk.whatsapp.outbound import Sender

    sender = Sender(GraphClient.from_settings(), window_template=settings.whatsapp_window_template)
    await sender.text(wa_id, "An agent will call you back today.")
"""
