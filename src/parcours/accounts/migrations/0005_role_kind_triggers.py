"""The role-versus-organisation-kind invariant (accounts.roles.ROLES_BY_KIND) in the database itself.

A membership or an invitation whose role the kind of its organisation cannot hold, and a change of an
organisation's kind that would leave such a membership, are refused by triggers, whatever writes the row
(the ORM without `clean()`, a script, a raw SQL statement). A CHECK constraint cannot read another table;
triggers can, on both PostgreSQL and SQLite (docs/decisions/0033-onboarding.md).

The pairs are written here literally (a migration is a snapshot): a change of ROLES_BY_KIND needs a new
migration, and tests/onboarding/test_role_kind_constraint.py fails until it is written.
"""

from django.db import migrations

PAIRS = {
    "association": ("social_worker", "head_of_service", "volunteer", "intern"),
    "commission": ("secretariat", "commission_member"),
    "prefecture": ("prefecture_agent",),
    "partner": ("partner_counsellor",),
    "national": ("national_admin",),
}
MESSAGE = "parcours: role not allowed for this kind of organisation (accounts.roles.ROLES_BY_KIND)"


def allowed(kind: str, role: str) -> str:
    """SQL: true when the kind `kind` can hold the role `role` (two SQL expressions)."""
    return "(" + " OR ".join(
        f"({kind} = '{k}' AND {role} IN ({', '.join(repr(r) for r in roles)}))" for k, roles in PAIRS.items()
    ) + ")"


def _row_ok(table_alias_role: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM accounts_organisation o WHERE o.id = NEW.organisation_id AND "
        + allowed("o.kind", table_alias_role)
        + ")"
    )


SQLITE = []
for table in ("accounts_membership", "accounts_invitation"):
    for when in ("INSERT", "UPDATE OF role, organisation_id"):
        name = f"{table}_role_kind_{when.split()[0].lower()}"
        SQLITE.append(
            f"CREATE TRIGGER {name} BEFORE {when} ON {table} "
            f"WHEN NOT {_row_ok('NEW.role')} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )
SQLITE.append(
    "CREATE TRIGGER accounts_organisation_kind_update BEFORE UPDATE OF kind ON accounts_organisation "
    "WHEN EXISTS (SELECT 1 FROM accounts_membership m WHERE m.organisation_id = NEW.id AND NOT "
    + allowed("NEW.kind", "m.role")
    + ") "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
)
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_role_kind_{op};"
    for table in ("accounts_membership", "accounts_invitation")
    for op in ("insert", "update")
] + ["DROP TRIGGER IF EXISTS accounts_organisation_kind_update;"]

POSTGRES = [
    "CREATE FUNCTION parcours_role_kind_allowed(kind text, role text) RETURNS boolean "
    f"LANGUAGE sql IMMUTABLE AS $$ SELECT {allowed('kind', 'role')} $$;",
    # Membership and invitation rows.
    """CREATE FUNCTION parcours_check_role_kind() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM accounts_organisation o
                       WHERE o.id = NEW.organisation_id AND parcours_role_kind_allowed(o.kind, NEW.role)) THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = '%s';
        END IF;
        RETURN NEW;
    END $$;"""
    % MESSAGE,
    """CREATE FUNCTION parcours_check_kind_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM accounts_membership m
                   WHERE m.organisation_id = NEW.id AND NOT parcours_role_kind_allowed(NEW.kind, m.role)) THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = '%s';
        END IF;
        RETURN NEW;
    END $$;"""
    % MESSAGE,
    "CREATE TRIGGER accounts_membership_role_kind BEFORE INSERT OR UPDATE OF role, organisation_id "
    "ON accounts_membership FOR EACH ROW EXECUTE FUNCTION parcours_check_role_kind();",
    "CREATE TRIGGER accounts_invitation_role_kind BEFORE INSERT OR UPDATE OF role, organisation_id "
    "ON accounts_invitation FOR EACH ROW EXECUTE FUNCTION parcours_check_role_kind();",
    "CREATE TRIGGER accounts_organisation_kind_update BEFORE UPDATE OF kind "
    "ON accounts_organisation FOR EACH ROW EXECUTE FUNCTION parcours_check_kind_change();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS accounts_membership_role_kind ON accounts_membership;",
    "DROP TRIGGER IF EXISTS accounts_invitation_role_kind ON accounts_invitation;",
    "DROP TRIGGER IF EXISTS accounts_organisation_kind_update ON accounts_organisation;",
    "DROP FUNCTION IF EXISTS parcours_check_role_kind();",
    "DROP FUNCTION IF EXISTS parcours_check_kind_change();",
    "DROP FUNCTION IF EXISTS parcours_role_kind_allowed(text, text);",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError("Parcours runs on PostgreSQL or SQLite only.")
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}[schema_editor.connection.vendor]
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_invitation")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
