from django.db import migrations, models

from parcours.core.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # the index is built concurrently on PostgreSQL: requests keep moving meanwhile

    dependencies = [
        ("people", "0011_birth_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="person",
            index=models.Index(
                condition=models.Q(("archived_on__isnull", True)),
                fields=["association", "id"],
                include=["version"],
                name="person_live_by_association",
            ),
        ),
    ]
