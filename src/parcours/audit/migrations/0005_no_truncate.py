"""On PostgreSQL, TRUNCATE of the journal's tables is refused to the application's user.

Review of issue 7 (B1): the application's user could `TRUNCATE audit_accesslog, audit_chainhead`, put back
the rows up to the last checkpoint and their genuine sealed head, and the journal verified as intact: every
row since that checkpoint was erased. Row triggers do not fire on TRUNCATE; a statement-level
BEFORE TRUNCATE trigger does.

The rule: TRUNCATE is let through only for a PostgreSQL superuser. The application must run under an
ordinary role (docs/security/audit.md); the test suite and `manage.py flush`, which run as the database's
superuser in development and CI, can still empty the tables between tests. A superuser can also switch the
triggers off (session_replication_role = replica) or drop them: against them only the checkpoints written
outside the database and the key help.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION parcours_audit_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'Le journal des accès est en ajout seul : TRUNCATE refusé sur %.', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_accesslog_no_truncate ON audit_accesslog;
CREATE TRIGGER audit_accesslog_no_truncate
    BEFORE TRUNCATE ON audit_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION parcours_audit_no_truncate();

DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
CREATE TRIGGER audit_chainhead_no_truncate
    BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION parcours_audit_no_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_accesslog_no_truncate ON audit_accesslog;
DROP FUNCTION IF EXISTS parcours_audit_no_truncate();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_no_purge_flag")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
