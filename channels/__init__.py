"""Rasa input/output channels (thin adapters over ``helpdesk``)."""
