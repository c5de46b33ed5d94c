"""Database access: engines, sessions and migrations (SQLAlchemy 1.4, Alembic).

Feature modules never build engines themselves; they take a ``Session`` from
``session_scope()`` and call small data-access functions with keyword-only arguments.
"""

from __future__ import annotations

import contextlib
import functools
import select
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from helpdesk.errors import DatabaseUnavailable
from helpdesk.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# A pooled connection idle for longer than this gets a real round trip before use: a
# firewall or NAT may have dropped it silently, which its socket would not show.
IDLE_PING_SECONDS = 30.0


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the console read while the channel writes; busy_timeout waits for a lock
    # held by another process instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _checked_in(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
    record.info["checked_in_at"] = time.monotonic()


def _check_alive(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
    """Discard a pooled PostgreSQL connection the server has closed, without a round trip.

    ``pool_pre_ping`` sent a ``SELECT 1`` at every checkout (~14 per WhatsApp turn). A
    server that ends a connection (a restart, ``pg_terminate_backend``, an idle timeout)
    sends its FATAL message and closes the socket, and an idle libpq connection has nothing
    else to read (no LISTEN here): so a readable socket means the connection is gone. Only
    a connection idle for ``IDLE_PING_SECONDS`` still gets the round trip. Raising
    ``DisconnectionError`` makes the pool drop it and hand out a fresh one.
    """
    # poll(), not select(): select() refuses descriptors past 1023, which a busy process
    # with many sockets and files reaches.
    watch = select.poll()
    watch.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if watch.poll(0):
        raise DisconnectionError("the database closed this pooled connection")
    idle_since = record.info.get("checked_in_at")
    if idle_since is not None and time.monotonic() - idle_since > IDLE_PING_SECONDS:
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as error:
            raise DisconnectionError(f"the pooled connection failed a ping: {error}") from error


@functools.lru_cache(maxsize=8)
def get_engine(url: str, *, autocommit: bool = False) -> Engine:
    """One engine per URL per process (engines own connection pools); ``autocommit``: a
    pool of its own whose connections commit each statement (``autocommit``)."""
    options: dict = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        # SQLAlchemy 1.4 defaults to NullPool for SQLite files: every session then opens a
        # connection and its close checkpoints the WAL with an fsync (~20 ms per transaction
        # here, vs ~3 ms pooled). A pool (2.0's default) keeps the webhook inbox fast.
        options.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
    parsed = make_url(url)
    by_socket = parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg2"
    # A file does not drop connections (SQLite: no check); a driver whose socket we do not
    # look at gets the round trip at every checkout.
    pre_ping = parsed.get_backend_name() != "sqlite" and not by_socket
    engine = create_engine(url, future=True, pool_pre_ping=pre_ping, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    if by_socket:
        event.listen(engine, "checkout", _check_alive)
        event.listen(engine, "checkin", _checked_in)
    return engine


@functools.lru_cache(maxsize=8)
def _session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


def default_url() -> str:
    return get_settings().database_url


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any exception."""
    session: Session = _session_factory(url or default_url())()
    try:
        yield session
        session.commit()
    except OperationalError as error:
        session.rollback()
        raise DatabaseUnavailable(f"The database could not be used: {error.orig}") from error
    except SQLAlchemyError:
        session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextlib.contextmanager
def autocommit(url: str | None = None) -> Iterator[Connection]:
    """A connection on which every statement commits by itself: for one statement that
    is its own transaction, without the BEGIN and COMMIT round trips around it (each a
    statement for PostgreSQL to run). Errors as ``session_scope`` raises them."""
    try:
        with get_engine(url or default_url(), autocommit=True).connect() as connection:
            yield connection
    except OperationalError as error:
        raise DatabaseUnavailable(f"The database could not be used: {error.orig}") from error


def _alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Create or migrate the schema to ``revision`` (idempotent)."""
    from alembic import command

    url = url or default_url()
    get_engine(url)  # creates the SQLite folder
    try:
        command.upgrade(_alembic_config(url), revision)
    except OperationalError as error:
        raise DatabaseUnavailable(f"Could not migrate {url}: {error.orig}") from error


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(url or default_url()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
