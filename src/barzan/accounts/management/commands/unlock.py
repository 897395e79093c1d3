"""`barzan unlock USERNAME`: forget a user's failed logins, from every address."""

from django.core.management.base import BaseCommand, CommandError

from barzan.accounts import actions
from barzan.accounts.models import User


class Command(BaseCommand):
    help = (
        "Forget every failed login of a user, so they can log in again at once from every "
        "address. Recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="")

    def handle(self, *args, username, reason, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        failures = actions.unlock_user(actor=None, user=user, reason=reason)
        self.stdout.write(f"Unlocked {username}: {failures} failed login(s) forgotten.")
