"""The dashboard's figures, read from the database: case volume, bot containment,
first-contact resolution, handoff reasons, response and resolution times, satisfaction,
media refusals, authenticity signals and WhatsApp cost (``report.build``), for the console's
``/dashboard`` and ``/metrics``. Definitions are in ``definitions`` (shown on the page and
written in README.md's "Dashboard and metrics")."""
