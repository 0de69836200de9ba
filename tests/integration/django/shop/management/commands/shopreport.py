"""``manage.py shopreport``: books and stock per author, one line each."""
from django.core.management.base import BaseCommand
from django.db.models import Count, Sum

from shop.models import Author


class Command(BaseCommand):
    help = "Print the number of books and the total stock of each author."

    def add_arguments(self, parser):
        parser.add_argument("--min-books", type=int, default=0)

    def handle(self, *args, min_books=0, **options):
        authors = (Author.objects
                   .annotate(n=Count("books"), stock=Sum("books__stock"))
                   .filter(n__gte=min_books)
                   .order_by("name"))
        for a in authors:
            self.stdout.write("%s: %d books, stock %d" % (a.name, a.n, a.stock or 0))
        self.stdout.write("authors: %d" % len(authors))
