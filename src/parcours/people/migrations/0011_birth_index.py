"""The keyed birth index of every existing person (issue 15): the duplicate check reads it instead of
decrypting the birth dates of the whole association."""

from django.db import migrations, models


def fill_birth_index(apps, schema_editor):
    from parcours.people.models import birth_index

    Person = apps.get_model("people", "Person")
    batch = []
    for person in Person.objects.only("pk", "birth_date").iterator(chunk_size=2000):
        person.birth_index = birth_index(person.birth_date)
        batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["birth_index"])
            batch = []
    Person.objects.bulk_update(batch, ["birth_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0010_encrypt_free_text_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_index",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=16),
        ),
        migrations.RunPython(fill_birth_index, migrations.RunPython.noop),
    ]
