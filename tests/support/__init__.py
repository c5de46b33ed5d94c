"""Helpers shared by tests (servers on free ports, fixtures for WhatsApp)."""
