"""Users' roles and API tokens.  Who may see what is decided in scoping.py."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    BOARD = "board", _("Management board")
    DEVELOPER = "developer", _("Park developer")
    ENTERPRISE = "enterprise", _("Enterprise")
    CONSULTANT = "consultant", _("Consultant")
    PUBLIC = "public", _("Public")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PUBLIC)
    # board: the province it manages; developer/consultant/ministry: its organisation;
    # enterprise: the enterprise it belongs to; consultant: the parks it is assigned to.
    province = models.ForeignKey(
        "registry.Province", null=True, blank=True, on_delete=models.PROTECT
    )
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    assigned_parks = models.ManyToManyField("registry.Park", blank=True, related_name="consultants")
    language = models.CharField(max_length=5, default="vi")
    # TOTP two-factor authentication (accounts/totp.py): base32 secret, and the last step
    # accepted (a code is never accepted twice).
    totp_secret = models.CharField(max_length=64, blank=True, default="")
    totp_last_step = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.user.username} ({self.role})"


class ApiToken(models.Model):
    """A bearer token for machine clients.  Only a hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name="api") -> tuple["ApiToken", str]:
        key = "eip_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash(key), prefix=key[4:12])
        return token, key
