from django.db import migrations, models

from parcours.core.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # the index is built concurrently on PostgreSQL: requests keep moving meanwhile

    dependencies = [
        ("accounts", "0007_internprofile"),
        ("pathway", "0011_step_counter"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="pathwayrequest",
            index=models.Index(
                fields=["commission", "status", "submitted_on", "id"], name="request_commission_queue"
            ),
        ),
    ]
