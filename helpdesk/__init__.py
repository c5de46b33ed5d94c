"""Visual Helpdesk for WhatsApp: the product's core, independent of Rasa.

Rasa-facing code lives in ``actions/``, ``channels/`` and ``rasa_addons/``; they call into
this package, which never imports ``rasa`` so that it can be tested without a server.
"""

__version__ = "0.1.0"
