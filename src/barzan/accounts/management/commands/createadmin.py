"""`barzan createadmin`: the first national administrator of a new installation."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from barzan.access.models import Role
from barzan.accounts import actions
from barzan.accounts.models import User
from barzan.geo.models import Area, AreaLevel


class Command(BaseCommand):
    help = (
        "Create a national administrator over the root of the area tree (creating the root, "
        "Iran, if the tree is empty). Two-factor set-up follows at the first login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Read from the terminal when omitted.")

    def handle(self, *args, username, email, password, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        root = Area.objects.roots().first()
        if root is None:
            from barzan.geo.actions import create_area

            root = create_area(
                actor=None,
                level=AreaLevel.objects.get(code="country"),
                code="IR",
                name_fa="ایران",
                name_en="Iran",
            )
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            actions.create_user(
                actor=None,
                username=username,
                email=email,
                password=password,
                role=Role.objects.get(code="national_admin"),
                area=root,
            )
        except Exception as error:
            messages = getattr(error, "messages", [str(error)])
            raise CommandError("; ".join(messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{username} is a national administrator over {root.name_fa}.")
        )
