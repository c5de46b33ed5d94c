"""Custom actions: thin rasa-sdk adapters over the ``helpdesk`` package.

rasa-sdk imports every module here when the action server starts, so modules do no work at
import time.
"""
