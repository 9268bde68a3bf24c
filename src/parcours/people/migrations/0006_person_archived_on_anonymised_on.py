from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_consent_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="archived_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="archivé le"),
        ),
        migrations.AddField(
            model_name="person",
            name="anonymised_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="anonymisé le"),
        ),
    ]
