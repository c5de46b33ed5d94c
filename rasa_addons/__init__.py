"""Rasa-side adapters that are neither channels nor actions (tracker store).

They import ``rasa`` and call into ``helpdesk``; keep them thin.
"""
