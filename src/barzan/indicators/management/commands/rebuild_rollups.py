import time

from django.core.management.base import BaseCommand
from django.db import transaction

from barzan.indicators import rollups


class Command(BaseCommand):
    help = (
        "Recompute every stored roll-up of indicator values from the raw values "
        "(after areas were moved, split or merged)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            written = rollups.rebuild()
        self.stdout.write(f"{written} roll-ups written in {time.perf_counter() - started:.1f} s.")
