"""`eiphub createuser USERNAME --role ROLE [--password P] [--province CODE]
[--organization NAME] [--enterprise TAXCODE] [--park CODE ...]`."""

import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from eiphub.accounts.models import Profile, Role
from eiphub.registry.models import Enterprise, Organization, Park, Province


class Command(BaseCommand):
    help = "Create a user with a role and its scope (province, organisation, enterprise or parks)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="asked interactively when omitted")
        parser.add_argument("--province", help="province code (required for the board role)")
        parser.add_argument("--organization", help="organisation name (required for developers)")
        parser.add_argument(
            "--enterprise", help="tax code of the enterprise (required for enterprise users)"
        )
        parser.add_argument(
            "--park", action="append", default=[], help="park code (consultants; repeatable)"
        )
        parser.add_argument("--superuser", action="store_true", help="also give access to /admin/")

    def handle(
        self, username, role, password, province, organization, enterprise, park, superuser, **kw
    ):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError(_("The username must not be empty."))
        if User.objects.filter(username=username).exists():
            raise CommandError(_("User “%(name)s” already exists.") % {"name": username})
        scope = self._scope(role, province, organization, enterprise, park)
        if password is None:
            password = self._ask_password()
        with transaction.atomic():
            if superuser:
                user = User.objects.create_superuser(username, password=password)
            else:
                user = User.objects.create_user(username, password=password)
            parks = scope.pop("assigned_parks")
            profile = Profile.objects.create(user=user, role=role, **scope)
            profile.assigned_parks.set(parks)
        self.stdout.write(
            _("Created user “%(name)s” with role %(role)s.") % {"name": username, "role": role}
        )

    def _scope(self, role, province, organization, enterprise, parks) -> dict:
        scope = {"province": None, "organization": None, "enterprise": None, "assigned_parks": []}
        if province:
            scope["province"] = Province.objects.filter(code=province).first()
            if scope["province"] is None:
                raise CommandError(_("No province with code “%(code)s”.") % {"code": province})
        if organization:
            matches = list(Organization.objects.filter(name__iexact=organization.strip()))
            if not matches:
                raise CommandError(_("No organisation named “%(name)s”.") % {"name": organization})
            if len(matches) > 1:
                raise CommandError(
                    _("Several organisations are named “%(name)s”.") % {"name": organization}
                )
            scope["organization"] = matches[0]
        if enterprise:
            scope["enterprise"] = Enterprise.objects.filter(tax_code=enterprise.strip()).first()
            if scope["enterprise"] is None:
                raise CommandError(
                    _("No enterprise with tax code “%(code)s”.") % {"code": enterprise}
                )
        for code in parks:
            p = Park.objects.filter(code=code).first()
            if p is None:
                raise CommandError(_("No park with code “%(code)s”.") % {"code": code})
            scope["assigned_parks"].append(p)
        needs = {
            Role.BOARD: ("province", _("A board user needs --province CODE.")),
            Role.DEVELOPER: ("organization", _("A developer user needs --organization NAME.")),
            Role.ENTERPRISE: ("enterprise", _("An enterprise user needs --enterprise TAXCODE.")),
            Role.CONSULTANT: ("assigned_parks", _("A consultant needs at least one --park CODE.")),
        }
        if role in needs and not scope[needs[role][0]]:
            raise CommandError(needs[role][1])
        org = scope["organization"]
        if role == Role.DEVELOPER and org.kind != Organization.Kind.DEVELOPER:
            raise CommandError(
                _("“%(name)s” is not a park developer organisation.") % {"name": org.name}
            )
        return scope

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(_("Give --password (no terminal to ask for one)."))
        first = getpass.getpass(_("Password: "))
        if not first or first != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The passwords are empty or do not match."))
        return first
