"""Print a fresh API token for a user (operations and CI; the API's login endpoint is for people)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    """Issue a token, optionally creating the user as a moderator first."""

    help = "Print a new API token for USERNAME (with --create-moderator, create that moderator if missing)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create-moderator", action="store_true")

    def handle(self, *args, username, create_moderator, **options):
        from django.contrib.auth.models import Group

        from referrals.services.roles import MODERATORS_GROUP

        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            if not create_moderator:
                raise CommandError(f"No user {username!r}.")
            user = user_model.objects.create_user(username=username, is_staff=True)
            user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
        _, token = AuthToken.objects.create(user)
        self.stdout.write(token)
