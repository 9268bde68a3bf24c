"""Encrypts the values already stored in the columns that 0009_encrypt_free_text made encrypted (and decrypts them back
when unapplied). A migration of its own: on PostgreSQL, rows updated in the transaction of an ALTER TABLE
block it ("pending trigger events")."""

from django.db import migrations

from parcours.core.crypto import encrypted_columns_migration


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_encrypt_free_text"),
    ]

    operations = [
        encrypted_columns_migration(
            {
                "people.Person": ["languages"],
                "people.Consent": ["partner_name", "scope"],
            }
        ),
    ]
