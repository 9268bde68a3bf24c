"""On PostgreSQL, the database itself refuses to change the journal.

- audit_accesslog: UPDATE always refused; DELETE refused unless the transaction-local setting
  parcours.audit_purge is 'on', which only the retention purge (audit/chain.py) sets.
- audit_chainhead: its end may only move forward; its anchor may move and the row be deleted only during the
  purge.

TRUNCATE is not blocked (`manage.py flush`, which the demo's --reset and the test runner use, relies on it);
a truncated journal is still detected by verify_chain, whose head says how long the chain was. SQLite has no
such trigger: it is the embedded demo and test database.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION parcours_audit_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('parcours.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des accès est en ajout seul : % refusé sur %.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
CREATE TRIGGER audit_accesslog_append_only
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION parcours_audit_accesslog_append_only();

CREATE OR REPLACE FUNCTION parcours_audit_chainhead_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purging boolean := coalesce(current_setting('parcours.audit_purge', true), '') = 'on';
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF purging THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'La tête de chaîne du journal ne se supprime pas.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.id <> OLD.id OR NEW.last_seq < OLD.last_seq
       OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash) THEN
        RAISE EXCEPTION 'La tête de chaîne du journal ne recule pas.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.anchor_seq, NEW.anchor_hash) IS DISTINCT FROM (OLD.anchor_seq, OLD.anchor_hash) AND NOT purging THEN
        RAISE EXCEPTION 'Le début du journal ne bouge que par la purge de conservation.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS audit_chainhead_guard ON audit_chainhead;
CREATE TRIGGER audit_chainhead_guard
    BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION parcours_audit_chainhead_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_chainhead_guard ON audit_chainhead;
DROP FUNCTION IF EXISTS parcours_audit_chainhead_guard();
DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog;
DROP FUNCTION IF EXISTS parcours_audit_accesslog_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
