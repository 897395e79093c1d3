"""
Writes to accounts: logging in and out, profiles, passwords, two-factor devices, API
tokens, and the administration of users and their grants.

Each action runs in one transaction and records an audit event. Passwords, token values
and device keys never enter the audit log.
"""

import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from barzan import audit
from barzan.access import policy
from barzan.access.models import Grant, Role
from barzan.core import jalali
from barzan.core.concurrency import check_version, field_values, unchanged
from barzan.core.text import clean, localize_digits

from .choices import TokenScope
from .models import ApiToken, User, hash_token
from .readers import has_confirmed_device, two_factor_required

LOGGED_IN = audit.verb("user.logged_in", _("Logged in"))
LOGGED_OUT = audit.verb("user.logged_out", _("Logged out"))
TWO_FACTOR_VERIFIED = audit.verb("user.two_factor_verified", _("Two-factor code accepted"))
TWO_FACTOR_ENABLED = audit.verb("user.two_factor_enabled", _("Two-factor authentication turned on"))
TWO_FACTOR_RESET = audit.verb("user.two_factor_reset", _("Two-factor authentication removed"))
LANGUAGE_CHANGED = audit.verb("user.language_changed", _("Language changed"))
PROFILE_CHANGED = audit.verb("user.profile_changed", _("Profile changed"))
PASSWORD_CHANGED = audit.verb("user.password_changed", _("Password changed"))
PASSWORD_RESET = audit.verb("user.password_reset", _("Password set from a reset link"))
USER_CREATED = audit.verb("user.created", _("User created"))
USER_CHANGED = audit.verb("user.changed", _("User changed"))
USER_ACTIVATED = audit.verb("user.activated", _("User activated"))
USER_DEACTIVATED = audit.verb("user.deactivated", _("User deactivated"))
GRANT_CREATED = audit.verb("grant.created", _("Role granted"))
GRANT_REVOKED = audit.verb("grant.revoked", _("Role revoked"))
PASSWORD_LINK_SENT = audit.verb("user.password_link_sent", _("Password link emailed"))
TOKEN_CREATED = audit.verb("api_token.created", _("API token created"))
TOKEN_REVOKED = audit.verb("api_token.revoked", _("API token revoked"))
USER_UNLOCKED = audit.verb("user.unlocked", _("Login lock removed"))

PROFILE_FIELDS = ("first_name", "last_name", "email", "language")
RECOVERY_CODE_COUNT = 10


def _mail_user(user: User, template: str, context: dict) -> None:
    """Email `user`, in their language, once the transaction commits (if they have an address)."""
    if not user.email:
        return
    context = {"user": user, **context}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            key: jalali.format_datetime(value) if key == "when" else value
            for key, value in context.items()
        }
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def _revoke_all_tokens(*, actor, user: User, because: str) -> int:
    """Delete every API token of `user` (a credential changed); return how many there were."""
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        audit.record(
            actor=actor,
            verb=TOKEN_REVOKED,
            target=token,
            before={"name": token.name, "prefix": token.prefix},
            after={"revoked_by": because},
        )
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return len(tokens)


# -- logging in and out


@transaction.atomic
def log_in(request, user: User) -> None:
    """Log `user` in on `request` (the password was checked by the form)."""
    auth.login(request, user)
    audit.record(actor=user, verb=LOGGED_IN, target=user)


@transaction.atomic
def complete_two_factor(request, device) -> None:
    """Mark the session of `request` as verified by `device`."""
    otp_login(request, device)
    audit.record(actor=request.user, verb=TWO_FACTOR_VERIFIED, target=request.user)


@transaction.atomic
def log_out(request) -> None:
    """Log the user of `request` out."""
    user = request.user
    if user.is_authenticated:
        audit.record(actor=user, verb=LOGGED_OUT, target=user)
    auth.logout(request)


# -- one's own account


@transaction.atomic
def set_language(*, actor: User, language: str) -> User:
    """Remember `language` as `actor`'s choice for every page and device."""
    if actor.language == language:
        return actor
    before = actor.language
    actor.language = language
    actor.full_clean(validate_unique=False, validate_constraints=False)
    actor.save(update_fields=["language"])
    audit.record(
        actor=actor,
        verb=LANGUAGE_CHANGED,
        target=actor,
        before={"language": before},
        after={"language": language},
    )
    return actor


@transaction.atomic
def update_profile(*, actor: User, user: User, version: int | None, **changes) -> User:
    """Change the names, email and language of `user` (oneself, or someone one administers)."""
    if actor.pk != user.pk:
        policy.require_administer(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user, PROFILE_FIELDS)
    original = field_values(user, PROFILE_FIELDS)
    check_version(user, version)
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(user, name, clean(changes[name]) if name != "language" else changes[name])
    user.full_clean(exclude=["password", "username"])
    if unchanged(user, original):
        return user
    user.save(update_fields=[*PROFILE_FIELDS, "version"])
    verb = PROFILE_CHANGED if actor.pk == user.pk else USER_CHANGED
    audit.record(
        actor=actor,
        verb=verb,
        target=user,
        before=before,
        after=audit.snapshot(user, PROFILE_FIELDS),
    )
    return user


@transaction.atomic
def change_password(*, actor: User, password: str) -> User:
    """Set `actor`'s new password (the form checked the old one and the rules)."""
    validate_password(password, actor)
    actor.set_password(password)
    actor.save(update_fields=["password"])
    audit.record(actor=actor, verb=PASSWORD_CHANGED, target=actor)
    _revoke_all_tokens(actor=actor, user=actor, because=PASSWORD_CHANGED)
    return actor


@transaction.atomic
def send_password_link(*, request, actor, user: User) -> None:
    """Email `user` a link to choose a new password, once the transaction commits."""
    if actor is not None and actor.pk != user.pk:
        policy.require_administer(actor, user)
    if not user.email:
        raise ValidationError({"email": _("This user has no email address.")})
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = request.build_absolute_uri(reverse("accounts:password_reset_confirm", args=[uid, token]))
    context = {"user": user, "link": link, "sent_by": actor}
    with translation.override(user.language):
        subject = render_to_string("accounts/email/password_link_subject.txt", context).strip()
        body = render_to_string("accounts/email/password_link.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))
    audit.record(actor=actor, verb=PASSWORD_LINK_SENT, target=user)


@transaction.atomic
def reset_password(*, user: User, password: str) -> User:
    """Set `user`'s password from a valid reset link (the link proves who is acting)."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=user, verb=PASSWORD_RESET, target=user)
    _revoke_all_tokens(actor=user, user=user, because=PASSWORD_RESET)
    return user


# -- two-factor authentication


@transaction.atomic
def start_two_factor(*, actor: User) -> TOTPDevice:
    """Return a new, unconfirmed TOTP device for `actor` (replacing an unconfirmed one)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=str(_("Authenticator app")), confirmed=False)


def confirm_two_factor(*, request, device: TOTPDevice, token: str) -> list[str]:
    """Confirm `device` with a code from the app; return new one-time recovery codes."""
    actor = request.user
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied
    # Checked outside the transaction: a wrong code must still count towards throttling.
    if not device.verify_token(token):
        raise ValidationError(
            {
                "token": _(
                    "That code is not right. Check the time on your phone and try the newest code."
                )
            }
        )
    with transaction.atomic():
        return _enable_two_factor(request, device)


def _enable_two_factor(request, device: TOTPDevice) -> list[str]:
    actor = request.user
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=actor).delete()
    recovery = StaticDevice.objects.create(
        user=actor, name=str(_("Recovery codes")), confirmed=True
    )
    codes = [secrets.token_hex(5) for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    otp_login(request, device)
    audit.record(actor=actor, verb=TWO_FACTOR_ENABLED, target=actor)
    # Enrolment trusts whoever holds the password at that moment: tell the owner.
    _mail_user(actor, "two_factor_enrolled", {"when": timezone.now()})
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User, user: User, reason: str = "") -> None:
    """Remove every two-factor device of `user`, who must set one up again at next login.

    Users may remove their own only when their roles do not require two-factor; otherwise
    an administrator must (a lost phone is the usual reason).
    """
    if actor.pk != user.pk:
        policy.require_administer(actor, user)
    elif two_factor_required(user):
        raise PermissionDenied
    removed, _by_model = TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, verb=TWO_FACTOR_RESET, target=user, reason=reason)
    # A token would otherwise keep working without the second factor it was created under.
    _revoke_all_tokens(actor=actor, user=user, because=TWO_FACTOR_RESET)
    if removed:
        by = actor if actor is not None else _("an administrator")
        _mail_user(user, "two_factor_removed", {"when": timezone.now(), "actor": by})


# -- API tokens


def token_expiry_bounds() -> tuple:
    """Return the default expiry of a token created now, and the latest one allowed."""
    now = timezone.now()
    return (
        now + timedelta(days=settings.BARZAN_API_TOKEN_DAYS),
        now + timedelta(days=settings.BARZAN_API_TOKEN_MAX_DAYS),
    )


@transaction.atomic
def create_api_token(
    *, actor: User, name: str, expires_at=None, scope: str = TokenScope.READ
) -> tuple[ApiToken, str]:
    """Create an API token for `actor`; return it with its secret, which is shown only once.

    Without `expires_at` the token lasts the default number of days. A user whose roles
    require two-factor authentication must have it on: a token skips the second factor.
    """
    if two_factor_required(actor) and not has_confirmed_device(actor):
        raise ValidationError(
            _(
                "Your role requires two-factor authentication. Turn it on before creating "
                "an API token."
            ),
            code="two_factor_required",
        )
    name = clean(name)
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, such as the program that will use it.")}
        )
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Choose read only, or read and write.")})
    default_expiry, latest_expiry = token_expiry_bounds()
    if expires_at is None:
        expires_at = default_expiry
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if expires_at > latest_expiry:
        raise ValidationError(
            {
                "expires_at": _("A token may last at most %(days)s days.")
                % {"days": localize_digits(settings.BARZAN_API_TOKEN_MAX_DAYS)}
            }
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=expires_at,
        scope=scope,
    )
    audit.record(
        actor=actor,
        verb=TOKEN_CREATED,
        target=token,
        after={
            "name": name,
            "prefix": token.prefix,
            "scope": scope,
            "expires_at": expires_at.isoformat(),
        },
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    """Delete `token`: `actor`'s own, or one of a user `actor` administers."""
    if token.user_id != actor.pk:
        policy.require_administer(actor, token.user)
    audit.record(
        actor=actor,
        verb=TOKEN_REVOKED,
        target=token,
        before={"name": token.name, "prefix": token.prefix},
    )
    token.delete()


# -- administering users and grants


@transaction.atomic
def unlock_user(*, actor, user: User, reason: str = "") -> int:
    """Forget every failed login of `user` from every address; return how many were forgotten.

    `actor` None is the command line (`barzan unlock`), run by whoever runs the server.
    """
    if actor is not None:
        policy.require_administer(actor, user)
    attempts = AccessAttempt.objects.filter(username=user.get_username())
    failures = sum(attempts.values_list("failures_since_start", flat=True))
    attempts.delete()
    audit.record(
        actor=actor, verb=USER_UNLOCKED, target=user, before={"failures": failures}, reason=reason
    )
    return failures


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    role: Role,
    area,
    organization=None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
    password: str = "",
) -> User:
    """Create a user with a first grant (a user without one could do nothing).

    With no `password` the account has none until the user follows a reset link.
    """
    if actor is not None and not policy.can_grant(actor, role, area, organization):
        raise PermissionDenied
    user = User(
        username=clean(username),
        first_name=clean(first_name),
        last_name=clean(last_name),
        email=clean(email).lower(),
        language=language,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        verb=USER_CREATED,
        target=user,
        area=area,
        after=audit.snapshot(user, ("username", *PROFILE_FIELDS)),
    )
    grant_role(actor=actor, user=user, role=role, area=area, organization=organization)
    return user


@transaction.atomic
def set_user_active(*, actor, user: User, is_active: bool, reason: str = "") -> User:
    """Activate or deactivate `user`; a deactivated user cannot log in or use tokens."""
    if actor is not None:
        policy.require_administer(actor, user)
    if user.is_active == is_active:
        return user
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        verb=USER_ACTIVATED if is_active else USER_DEACTIVATED,
        target=user,
        reason=reason,
    )
    return user


def _grant_snapshot(grant: Grant) -> dict:
    return {
        "user": grant.user_id,
        "role": grant.role.code,
        "area": grant.area_id,
        "organization": grant.organization_id,
    }


@transaction.atomic
def grant_role(*, actor, user: User, role: Role, area, organization=None) -> Grant:
    """Give `user` `role` over `area` and below (for `organization`'s records when given)."""
    if actor is not None and not policy.can_grant(actor, role, area, organization):
        raise PermissionDenied
    duplicate = Grant.objects.filter(user=user, role=role, area=area, organization=organization)
    if duplicate.exists():
        raise ValidationError(_("This user already has this role here."))
    grant = Grant(user=user, role=role, area=area, organization=organization, granted_by=actor)
    grant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise ValidationError(_("This user already has this role here.")) from None
    policy.forget(user)
    audit.record(
        actor=actor, verb=GRANT_CREATED, target=grant, area=area, after=_grant_snapshot(grant)
    )
    return grant


@transaction.atomic
def revoke_grant(*, actor, grant: Grant, reason: str = "") -> None:
    """Take `grant` away. Nobody revokes their own grants: another administrator must."""
    if actor is not None:
        if grant.user_id == actor.pk:
            raise ValidationError(_("You cannot revoke your own role; ask another administrator."))
        if not policy.can_grant(actor, grant.role, grant.area, grant.organization_id):
            raise PermissionDenied
    audit.record(
        actor=actor,
        verb=GRANT_REVOKED,
        target=grant,
        area=grant.area,
        before=_grant_snapshot(grant),
        reason=reason,
    )
    grant.delete()
    policy.forget(grant.user)
