"""Transient means transient: only an unreachable store is an outage (waited for);
an error a working store answered with is the event's own failure (retried, then
dead-lettered), and what is logged names the exception's class."""
import psycopg
from psycopg import errors
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from adapters.outages import describe, is_outage


def wrapped(kind, orig, invalidated=False):
    return kind("SELECT 1", {}, orig, connection_invalidated=invalidated)


def test_a_unique_violation_is_not_an_outage():
    exc = wrapped(IntegrityError, errors.UniqueViolation(
        'duplicate key value violates unique constraint "pk_read_favorites"'))
    assert not is_outage(exc)
    assert describe(exc).startswith("IntegrityError(psycopg.errors.UniqueViolation)")


def test_a_deadlock_or_serialization_failure_is_not_an_outage():
    assert not is_outage(wrapped(OperationalError, errors.DeadlockDetected("deadlock")))
    assert not is_outage(wrapped(OperationalError, errors.SerializationFailure("x")))


def test_a_lost_connection_is_an_outage():
    assert is_outage(wrapped(OperationalError, errors.AdminShutdown("terminating")))
    assert is_outage(wrapped(OperationalError, psycopg.OperationalError(
        "consuming input failed"), invalidated=True))
    assert is_outage(wrapped(OperationalError, psycopg.OperationalError(
        "connection failed: connection refused")))
    assert is_outage(wrapped(InterfaceError, psycopg.InterfaceError("the connection is closed")))
    assert is_outage(RedisConnectionError("Connection refused"))
    assert is_outage(ConnectionRefusedError())


def test_a_driver_error_of_a_live_connection_is_not_an_outage():
    assert not is_outage(wrapped(OperationalError, psycopg.OperationalError(
        "sending query failed: another command is already in progress")))
    assert not is_outage(ResponseError("WRONGTYPE"))
    assert not is_outage(ValueError("bad payload"))
