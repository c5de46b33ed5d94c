"""The agent console: where a support agent picks up a case the bot handed off.

A FastAPI app (``app.create_app()``, served by ``helpdesk console`` on :8000) with web
pages for agents (the queue, a ticket with its transcript, media and analysis, reply,
notes, assign, close, hand back), a JSON API under ``/api/`` for tools, the Zendesk and
Freshdesk webhooks that bring replies written there back to WhatsApp, and ``/metrics`` for
Prometheus. Agents, their passwords, roles and API tokens live in ``agents``.

Modules, lowest first: ``templating`` (paths and templates), ``answers`` (the HTTP
status of each error class), ``schemas`` (the API's request and response models),
``agents`` and ``security`` (who is asking; the ``DbSession`` dependency), ``service``
(what pages, API and webhooks all do), then the routers ``pages``, ``api``, ``docs``
(OpenAPI and Swagger UI for admins), ``webhooks`` and ``metrics``, and ``app`` which
assembles them. Nothing here is imported by the core package.
"""
