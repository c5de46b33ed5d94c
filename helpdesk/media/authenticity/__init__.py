"""Authenticity signals for agents: the same picture in another claim, edited images and
documents, and evidence that contradicts what the customer said.

- ``fingerprint``: perceptual fingerprints (views × two DCT hashes) of pictures and key frames.
- ``index``: multi-index hashing over the ``media_fingerprints`` table (SQLite, PostgreSQL).
- ``reuse``: matches with another customer's media or the same customer's closed case.
- ``copies``: a match whose read fields differ (amount, date, id, payee): an edited copy.
- ``claims``: read values (total, date, transaction id) against the claimed ones.
- ``provenance``: EXIF/XMP editors and dates, JPEG tables, double compression, PDF producer
  and incremental updates, error-level analysis of screenshots.
- ``signals``: ``Signal`` (``code``, ``severity``, ``explanation``, ``evidence``).

Signals are shown to agents and route a case to a person; they never refuse a file or a
claim and are never worded for the customer.
"""
