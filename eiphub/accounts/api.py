from django.utils import timezone
from ninja import Router, Schema
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from .models import ApiToken
from .scoping import role_of


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        if not token:
            return None
        try:
            obj = ApiToken.objects.select_related("user").get(key_hash=ApiToken.hash(token))
        except ApiToken.DoesNotExist:
            return None
        if not obj.user.is_active:
            return None
        ApiToken.objects.filter(pk=obj.pk).update(last_used=timezone.now())
        request.user = obj.user
        return obj.user


class TokenHeader(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return BearerToken().authenticate(request, key)


auth_methods = [BearerToken(), TokenHeader(), django_auth]

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    enterprise_id: int | None = None
    province: str | None = None


@router.get("/me", response=MeOut)
def me(request):
    p = getattr(request.user, "profile", None)
    return {
        "username": request.user.username,
        "role": role_of(request.user),
        "enterprise_id": p.enterprise_id if p else None,
        "province": p.province.code if p and p.province else None,
    }
