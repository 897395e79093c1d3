"""The calling user in the API: who they are and what they hold."""

from datetime import datetime

from ninja import Router, Schema

from barzan.access import policy

router = Router(tags=["me"])


class GrantOut(Schema):
    role: str
    area_id: int
    organization_id: int | None
    actions: list[str]


class TokenOut(Schema):
    name: str
    prefix: str
    scope: str
    expires_at: datetime


class MeOut(Schema):
    username: str
    name: str
    email: str
    language: str
    is_privileged: bool
    grants: list[GrantOut]
    token: TokenOut | None = None


@router.get("/", response=MeOut, summary="Who am I")
def me(request):
    """Return the calling user and their grants, as the access policy reads them, and the
    API token of the call (its scope and expiry), if it was made with one."""
    user = request.user
    token = getattr(request, "api_token", None)
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "language": user.language,
        "is_privileged": policy.is_privileged(user),
        "grants": [
            {
                "role": grant.role_code,
                "area_id": grant.area_id,
                "organization_id": grant.organization_id,
                "actions": sorted(grant.actions),
            }
            for grant in policy.grants(user)
        ],
        "token": token,
    }
