import uuid

from django.contrib.postgres.fields import (
    ArrayField, DateTimeRangeField, HStoreField, IntegerRangeField)
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    born = models.DateField(null=True, blank=True)

    def __str__(self):
        return self.name


class Book(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE,
                               related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.IntegerField(default=0)
    published = models.DateTimeField(null=True, blank=True)
    body = models.TextField(blank=True, default="")
    tags = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    attrs = HStoreField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    pages = IntegerRangeField(null=True, blank=True)
    on_sale = DateTimeRangeField(null=True, blank=True)
    search = SearchVectorField(null=True, blank=True)
    cover = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [GinIndex(fields=["search"], name="book_search_gin")]

    def __str__(self):
        return self.title
