from django.db import migrations


def load(apps, schema_editor):
    from parcours.core.departements import DEPARTEMENTS

    Departement = apps.get_model("core", "Departement")
    for code, name in DEPARTEMENTS:
        Departement.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
