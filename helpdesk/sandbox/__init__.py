"""A local WhatsApp that behaves like Meta, for development and tests (``helpdesk sandbox``).

- Graph API look-alike for the bot (``graph_api``): messages, media upload/lookup/download,
  mark-as-read; it validates what Meta validates and answers with Meta's error shape, and it
  sends signed sent/delivered/read/failed status webhooks back to the bot.
- Customer API for tests (``customer_api``): act as a customer, read the conversation.
- A phone-like web chat at ``/`` for a person (``static/index.html``).

Everything is kept in memory; restarting the sandbox starts with an empty phone.
"""
