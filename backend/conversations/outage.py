"""Telling an outage of our own side from a failure caused by what was sent.

An update that fails because the database or the network is down is fine: it must be tried
again until they are back, never skipped. One that fails for its own content will fail forever
and must be skipped after a few tries. Only the backend can tell them apart (the adapters know
no SQL), so it does, here, from the exception and its causes.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

#: asyncpg's errors for a connection lost, refused or not yet ready, by class name (asyncpg is
#: imported only on PostgreSQL).
_ASYNCPG_OUTAGES = frozenset(
    {
        "PostgresConnectionError",
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
        "InterfaceError",
        "ConnectionFailureError",
    }
)


def is_outage(error: BaseException) -> bool:
    """Whether ``error``, or anything that caused it, says the database or network is down."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_outage_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_outage_itself(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True  # a lost connection, a locked SQLite file, an exhausted pool
    if isinstance(error, OSError | TimeoutError):
        return True  # refused, reset, unreachable, timed out
    names = {cls.__name__ for cls in type(error).__mro__}
    return type(error).__module__.startswith("asyncpg") and bool(names & _ASYNCPG_OUTAGES)
