"""Shared by the dashboard's tests: a migrated PostgreSQL (scripts/services.sh), one per
test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.production.stack import migrated_services
from tests.support.servers import free_port

SERVICE_PORTS = ("SERVICES_PG_PORT", "SERVICES_REDIS_PORT", "SERVICES_S3_PORT")


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("services")
    ports = {name: str(free_port()) for name in SERVICE_PORTS}
    with migrated_services(folder, ports, start_timeout=180) as values:
        yield values["HELPDESK_DATABASE_URL"]
