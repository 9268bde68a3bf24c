"""Encrypts the values already stored in the columns that 0006_encrypt_free_text made encrypted (and decrypts them back
when unapplied). A migration of its own: on PostgreSQL, rows updated in the transaction of an ALTER TABLE
block it ("pending trigger events")."""

from django.db import migrations

from parcours.core.crypto import encrypted_columns_migration


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0006_encrypt_free_text"),
    ]

    operations = [
        encrypted_columns_migration(
            {
                "pathway.PathwayRequest": ["situation", "motivation", "evaluation"],
                "pathway.PlanAction": ["description"],
                "pathway.Commitment": ["text"],
                "pathway.CommissionSession": ["place", "attendance"],
                "pathway.Avis": ["reason"],
                "pathway.Decision": ["motivation"],
                "pathway.Exit": ["comment"],
                "pathway.Event": ["comment"],
            }
        ),
    ]
