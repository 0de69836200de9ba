"""Run by ``manage.py test shop``: Django's own test machinery (test
database creation, TestCase transactions and savepoints, fixtures of the
data migration, TransactionTestCase flushes) on this module."""
import decimal

from django.db import IntegrityError, transaction
from django.test import TestCase, TransactionTestCase

from shop.models import Author, Book


class ShopTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = Author.objects.create(name="Test author")

    def test_seeded_by_migration(self):
        self.assertEqual(Author.objects.count(), 3)

    def test_create_book(self):
        Book.objects.create(author=self.author, title="x", price=decimal.Decimal("1.5"),
                            tags=["a"], attrs={"k": "v"}, meta={"a": [1]})
        self.assertEqual(self.author.books.get().meta, {"a": [1]})

    def test_integrity_error_in_savepoint(self):
        with self.assertRaises(IntegrityError):
            with transaction.atomic():
                Author.objects.create(name="Test author")
        self.assertEqual(Author.objects.filter(name="Test author").count(), 1)

    def test_num_queries(self):
        with self.assertNumQueries(1):
            list(Author.objects.all())


class ShopTransactionTestCase(TransactionTestCase):
    available_apps = ["shop"]

    def test_commit_visible(self):
        with transaction.atomic():
            Author.objects.create(name="committed")
        self.assertTrue(Author.objects.filter(name="committed").exists())
