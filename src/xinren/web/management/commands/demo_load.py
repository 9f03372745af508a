"""`manage.py demo_load`: load the Yunnan demo world once (running it again changes nothing)."""

from django.core.management.base import BaseCommand

from xinren.demo.loader import demo_is_loaded, demo_load


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        if demo_is_loaded():
            self.stdout.write("Demo data already loaded.")
            return
        world = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {len(world.organizations)} organizations, {len(world.items)} items."
            )
        )
