"""The production topology: N Rasa replicas and N action servers on PostgreSQL, Redis and
S3, behind nginx (``helpdesk.deploy.topology``; files for Docker and systemd in deploy/)."""
