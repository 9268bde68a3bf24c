from django.db import migrations, models

from parcours.core.migration_ops import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # built concurrently on PostgreSQL: the journal keeps taking rows meanwhile

    dependencies = [("audit", "0007_chain_per_organisation")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="accesslog",
            index=models.Index(fields=["chain", "seq"], name="audit_chain_seq"),
        ),
    ]
