"""`eiphub totp-code USERNAME`: print the user's current TOTP code (demo and DEBUG only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from eiphub.accounts import totp
from eiphub.accounts.models import Profile


class Command(BaseCommand):
    help = "Print a user's current two-factor code (only with EIPHUB_DEMO=1 or DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        if not (getattr(settings, "EIPHUB_DEMO", False) or settings.DEBUG):
            raise CommandError("totp-code works only in the demo (EIPHUB_DEMO=1) or with DEBUG.")
        profile = Profile.objects.filter(user__username=username).first()
        if profile is None or not profile.totp_secret:
            raise CommandError(f"{username} has no two-factor secret.")
        self.stdout.write(totp.code_at(profile.totp_secret))
