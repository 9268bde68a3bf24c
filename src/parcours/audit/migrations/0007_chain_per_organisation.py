"""The journal is chained per organisation (decision 0062).

- `audit_accesslog.chain`: the chain a row is linked into (0, the common chain, for every row written
  before; otherwise the organisation's primary key). Added with a default: no row is rewritten.
- `audit_chainhead.id` is the chain's key: the one head so far (id 1) becomes the common chain's (0),
  sealed again with its key and its count of rows appended (`appended`, for the checkpoints).
- On PostgreSQL a head is only ever inserted at its chain's origin (a trigger): a head planted with another
  state (unkeyed, moved) by the application's role is refused, besides failing its seal.
- On PostgreSQL, `seq` is taken from the sequence `audit_accesslog_number` (owned by the column, so that a
  dump and its restore carry it), started after the highest number in use: chains take their numbers
  without waiting on each other. The DELETE rule of migration 0004 reads the anchor of the row's own chain.
"""

from django.db import migrations, models

FORWARD = r"""
CREATE SEQUENCE IF NOT EXISTS audit_accesslog_number AS bigint MINVALUE 1 OWNED BY audit_accesslog.seq;
SELECT setval(
    'audit_accesslog_number',
    GREATEST((SELECT max(seq) FROM audit_accesslog), (SELECT max(last_seq) FROM audit_chainhead), 1),
    EXISTS (SELECT 1 FROM audit_accesslog) OR EXISTS (SELECT 1 FROM audit_chainhead WHERE last_seq > 0)
);

ALTER TABLE audit_chainhead DISABLE TRIGGER audit_chainhead_guard;
UPDATE audit_chainhead SET id = 0 WHERE id = 1;
ALTER TABLE audit_chainhead ENABLE TRIGGER audit_chainhead_guard;

CREATE OR REPLACE FUNCTION parcours_audit_chainhead_origin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.last_seq <> 0 OR NEW.anchor_seq <> 1 OR NEW.keyed_from <> 1 OR NEW.appended <> 0
       OR NEW.last_hash <> repeat('0', 64) OR NEW.anchor_hash <> repeat('0', 64) THEN
        RAISE EXCEPTION 'Une tête de chaîne du journal ne se crée qu''à l''origine de sa chaîne.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS audit_chainhead_origin ON audit_chainhead;
CREATE TRIGGER audit_chainhead_origin
    BEFORE INSERT ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION parcours_audit_chainhead_origin();

CREATE OR REPLACE FUNCTION parcours_audit_accesslog_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq < (SELECT anchor_seq FROM audit_chainhead WHERE id = OLD.chain) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal des accès est en ajout seul : % refusé sur %.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_chainhead_origin ON audit_chainhead;
DROP FUNCTION IF EXISTS parcours_audit_chainhead_origin();

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

ALTER TABLE audit_chainhead DISABLE TRIGGER audit_chainhead_guard;
UPDATE audit_chainhead SET id = 1 WHERE id = 0;
ALTER TABLE audit_chainhead ENABLE TRIGGER audit_chainhead_guard;
DROP SEQUENCE IF EXISTS audit_accesslog_number;
"""


def _seal(head, **named) -> str:
    from parcours.audit.models import head_seal

    state = (head.last_seq, head.last_hash, head.anchor_seq, head.anchor_hash, head.keyed_from)
    return head_seal(*state, **named)


def _check(head, **named) -> None:
    """The head's seal, in the format of before, is valid: sealing it again in the new format must not
    launder a head changed without the key (an anchor moved, rows then deleted below it)."""
    import hmac

    origin = "0" * 64
    state = (head.last_seq, head.last_hash, head.anchor_seq, head.anchor_hash, head.keyed_from)
    genesis = state == (0, origin, 1, origin, 1) and not head.seal
    if not genesis and not hmac.compare_digest(head.seal, _seal(head, **named)):
        raise RuntimeError(
            "La tête du journal des accès ne porte pas un sceau valide : le journal a été modifié hors de "
            "l'application. Lancez manage.py verify_audit_chain avec la version précédente avant de migrer."
        )


def forwards(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    for head in ChainHead.objects.filter(pk=1):
        _check(head)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)
    else:
        ChainHead.objects.filter(pk=1).update(id=0)
    for head in ChainHead.objects.filter(pk=0):  # the seal now names the chain and its count
        head.seal = _seal(head, chain=0, appended=head.appended)
        head.save(update_fields=["seal"])


def backwards(apps, schema_editor):
    from django.db.models import Count, Max, Min

    ChainHead = apps.get_model("audit", "ChainHead")
    if ChainHead.objects.exclude(pk=0).exists():
        raise RuntimeError("Des chaînes par organisation existent : le journal ne redevient pas une chaîne.")
    rows = apps.get_model("audit", "AccessLog").objects.aggregate(
        n=Count("pk"), low=Min("seq"), high=Max("seq")
    )
    for head in ChainHead.objects.filter(pk=0):
        _check(head, chain=0, appended=head.appended)
    if rows["n"] and rows["high"] - rows["low"] + 1 != rows["n"]:
        raise RuntimeError(
            "Les numéros du journal ont des trous : l'ancienne vérification les lirait comme des lignes "
            "supprimées."
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)
    else:
        ChainHead.objects.filter(pk=0).update(id=1)
    for head in ChainHead.objects.filter(pk=1):
        head.seal = _seal(head)
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_person_change_index")]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="chain",
            field=models.PositiveBigIntegerField(default=0, verbose_name="chaîne"),
        ),
        migrations.AlterField(
            model_name="chainhead",
            name="id",
            field=models.PositiveBigIntegerField(default=0, primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="appended",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
