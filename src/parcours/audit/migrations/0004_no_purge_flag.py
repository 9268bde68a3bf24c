"""On PostgreSQL the database refuses to change the journal, and no session flag lifts it any more.

Migration 0002 let rows be deleted while the transaction-local setting `parcours.audit_purge` was 'on',
which any session of the application's user could set. Now:

- audit_accesslog: UPDATE always refused; DELETE refused for every row at or above the chain's anchor
  (audit_chainhead.anchor_seq). The purge first moves the anchor forward, then deletes the rows below it.
- audit_chainhead: never deleted; its end only moves forward; its anchor only moves forward and never past
  the end; `keyed_from` never changes.

Moving the anchor is therefore possible for the application's user, but the head is sealed with
PARCOURS_AUDIT_KEY (HMAC) and the purge leaves a keyed `journal.purge` row naming the range and a signed
checkpoint outside the database: an anchor moved by hand fails `verify_audit_chain` (tests/audit/).
TRUNCATE is not blocked (`flush` relies on it); an emptied journal is detected against the checkpoints.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION parcours_audit_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq < (SELECT anchor_seq FROM audit_chainhead WHERE id = 1) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des accès est en ajout seul : % refusé sur %.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION parcours_audit_chainhead_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'La tête de chaîne du journal ne se supprime pas.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.id <> OLD.id OR NEW.last_seq < OLD.last_seq
       OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash) THEN
        RAISE EXCEPTION 'La tête de chaîne du journal ne recule pas.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.anchor_seq < OLD.anchor_seq OR NEW.anchor_seq > NEW.last_seq + 1
       OR (NEW.anchor_seq = OLD.anchor_seq AND NEW.anchor_hash <> OLD.anchor_hash) THEN
        RAISE EXCEPTION 'Le début du journal ne bouge que vers l''avant, par la purge de conservation.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.keyed_from <> OLD.keyed_from THEN
        RAISE EXCEPTION 'La tête de chaîne du journal ne recule pas.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
"""

BACKWARD = r"""
CREATE OR REPLACE FUNCTION parcours_audit_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Le journal des accès est en ajout seul : % refusé sur %.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
