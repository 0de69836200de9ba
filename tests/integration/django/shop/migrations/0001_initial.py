# Made with makemigrations, then HStoreExtension added by hand.

import django.contrib.postgres.fields
import django.contrib.postgres.fields.hstore
import django.contrib.postgres.fields.ranges
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import uuid
from django.contrib.postgres.operations import HStoreExtension
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        HStoreExtension(),
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('born', models.DateField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='Book',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, unique=True)),
                ('title', models.CharField(max_length=200)),
                ('price', models.DecimalField(decimal_places=2, max_digits=8)),
                ('stock', models.IntegerField(default=0)),
                ('published', models.DateTimeField(blank=True, null=True)),
                ('body', models.TextField(blank=True, default='')),
                ('tags', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=30), blank=True, default=list, size=None)),
                ('attrs', django.contrib.postgres.fields.hstore.HStoreField(blank=True, null=True)),
                ('meta', models.JSONField(blank=True, default=dict)),
                ('pages', django.contrib.postgres.fields.ranges.IntegerRangeField(blank=True, null=True)),
                ('on_sale', django.contrib.postgres.fields.ranges.DateTimeRangeField(blank=True, null=True)),
                ('search', django.contrib.postgres.search.SearchVectorField(blank=True, null=True)),
                ('cover', models.BinaryField(blank=True, null=True)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='books', to='shop.author')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['search'], name='book_search_gin')],
            },
        ),
    ]
