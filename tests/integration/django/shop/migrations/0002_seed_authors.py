"""A data migration: RunPython with the historical models, reversible."""
import datetime

from django.db import migrations

AUTHORS = [
    ("Italo Calvino", datetime.date(1923, 10, 15)),
    ("Umberto Eco", datetime.date(1932, 1, 5)),
]


def seed(apps, schema_editor):
    Author = apps.get_model("shop", "Author")
    for name, born in AUTHORS:
        Author.objects.create(name=name, born=born)


def unseed(apps, schema_editor):
    Author = apps.get_model("shop", "Author")
    Author.objects.filter(name__in=[a[0] for a in AUTHORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
