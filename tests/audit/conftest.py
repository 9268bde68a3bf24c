import pytest
from django.db import connection

from parcours.audit.models import AccessLog

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigger PostgreSQL (DATABASE_URL=postgres://…)"
)


@pytest.fixture(autouse=True)
def numbers_from_one(request):
    """On PostgreSQL the journal's numbers come from a sequence (decision 0062), which the rollback that
    ends a test does not undo: each test here starts it again at 1, as in a fresh journal, so that the
    numbers the tests expect are literal (rows 1, 2, 3…) on both databases."""
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval('audit_accesslog_number', 1, false)")


def tamper(sql: str, params=()):
    """Change the table behind the application's back, as someone with a database console would; on
    PostgreSQL the append-only triggers are bypassed as only a superuser can (session_replication_role,
    for this statement, within the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('session_replication_role', 'origin', true)")


def rows(**filters):
    return list(AccessLog.objects.filter(**filters).order_by("seq"))


@pytest.fixture
def logged_in(client):
    """Log a membership's user in (force_login writes a `login` row; tests count from after it)."""

    def login(membership):
        client.force_login(membership.user)
        return client

    return login
