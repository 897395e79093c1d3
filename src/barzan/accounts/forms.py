"""Forms for logging in, passwords, two-factor codes, profiles, tokens and administration."""

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.access.models import Grant, Role
from barzan.core.forms import BarzanFormMixin, Form, JalaliDateField, ModelForm, VersionField
from barzan.core.text import localize_digits, to_latin_digits
from barzan.core.widgets import SearchSelect
from barzan.geo.forms import AreaChoiceField

from .choices import TokenScope
from .models import User


class LoginForm(BarzanFormMixin, auth_forms.AuthenticationForm):
    """Username and password; the two-factor code is asked on the next page."""

    error_messages = {
        "invalid_login": _(
            "The username or password is not right. After %(limit)s failed attempts this "
            "account is locked from your address for a while."
        ),
        "inactive": _("This account is deactivated. Ask the administrator of your area."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", dir="ltr")
        self.fields["password"].widget.attrs.update(autocomplete="current-password", dir="ltr")

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"]
            % {"limit": localize_digits(settings.AXES_FAILURE_LIMIT)},
            code="invalid_login",
        )


class TokenForm(Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_(
            "The six-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "dir": "ltr",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self):
        return to_latin_digits(self.cleaned_data["token"]).replace(" ", "").lower()


class PasswordChangeForm(BarzanFormMixin, auth_forms.PasswordChangeForm):
    """The old password is checked like a login, under the same lockout: a borrowed session
    must not become a way to guess it."""

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        user = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class SetPasswordForm(BarzanFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordResetForm(BarzanFormMixin, auth_forms.PasswordResetForm):
    def get_users(self, email):
        # Unlike Django, include accounts without a usable password: a user created without
        # one is told to use "Forgot your password?" once the emailed link expires.
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.casefold() == email.casefold())


class LanguageChoiceMixin:
    """Name the empty language choice for what it means: pages follow the switch."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            self.fields["language"].choices = [
                ("", _("Not chosen: the language switch decides")),
                *settings.LANGUAGES,
            ]


class ProfileForm(LanguageChoiceMixin, ModelForm):
    """One's own names, email and language."""

    version = VersionField()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use this token, such as “provincial dashboard”."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("A read-only token cannot change anything, whatever your roles allow."),
    )
    expires_on = JalaliDateField(label=_("Expires on"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].help_text = _(
            "Leave empty for a token that lasts %(days)s days; at most %(max_days)s days."
        ) % {
            "days": localize_digits(settings.BARZAN_API_TOKEN_DAYS),
            "max_days": localize_digits(settings.BARZAN_API_TOKEN_MAX_DAYS),
        }

    def clean_scope(self):
        # Unchosen means the narrower scope.
        return self.cleaned_data.get("scope") or TokenScope.READ

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        expires_at = timezone.make_aware(datetime.combine(day, time.max))
        if expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        latest = timezone.now() + timedelta(days=settings.BARZAN_API_TOKEN_MAX_DAYS)
        if day == timezone.localtime(latest).date():
            # The last allowed day ends at the maximum, not at midnight.
            return min(expires_at, latest)
        if expires_at > latest:
            raise forms.ValidationError(
                _("A token may last at most %(days)s days.")
                % {"days": localize_digits(settings.BARZAN_API_TOKEN_MAX_DAYS)}
            )
        return expires_at


def _area_field(user, action: str):
    return AreaChoiceField(
        label=_("Area"),
        queryset=policy.areas(user, action).select_related("level"),
        widget=SearchSelect("geo:area_options", params={"action": action}),
        help_text=_("The role covers this area and everything below it."),
    )


def _organization_field(user):
    # The organization model is reached through the grant's relation: registry sits above accounts.
    organization_model = Grant._meta.get_field("organization").related_model
    return forms.ModelChoiceField(
        label=_("Organization"),
        queryset=policy.scope(user, VIEW, organization_model.objects.filter(is_active=True)),
        required=False,
        widget=SearchSelect("registry:organization_options"),
        help_text=_("For an agency focal point: limit the role to this organization's records."),
    )


class GrantFieldsMixin:
    """Role, area and organization, narrowed to what the acting user may give."""

    def add_grant_fields(self):
        ranks = [grant.rank for grant in policy.grants(self.actor) if MANAGE in grant.actions]
        top = max(ranks, default=-1)
        roles = [
            role.pk for role in Role.objects.all() if not role.is_privileged or role.rank <= top
        ]
        self.fields["role"] = forms.ModelChoiceField(
            label=_("Role"), queryset=Role.objects.filter(pk__in=roles), empty_label=None
        )
        self.fields["area"] = _area_field(self.actor, MANAGE)
        self.fields["organization"] = _organization_field(self.actor)

    def clean_grant(self, cleaned_data):
        role, area = cleaned_data.get("role"), cleaned_data.get("area")
        organization = cleaned_data.get("organization")
        if role and area and not policy.can_grant(self.actor, role, area, organization):
            raise forms.ValidationError(_("You may not give this role in this area."))
        return cleaned_data


class GrantForm(GrantFieldsMixin, Form):
    """Give an existing user another role."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_grant_fields()
        self.order_fields(["role", "area", "organization"])

    def clean(self):
        return self.clean_grant(super().clean())


class UserCreateForm(LanguageChoiceMixin, GrantFieldsMixin, ModelForm):
    """A new user with their first role."""

    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
        help_text=_(
            "Leave empty to email the user a link to choose their own password "
            "(an email address is then needed)."
        ),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "language"]
        widgets = {"username": forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_grant_fields()

    def clean(self):
        cleaned_data = self.clean_grant(super().clean())
        if not cleaned_data.get("password") and not cleaned_data.get("email"):
            self.add_error("email", _("Enter an email address, or set an initial password."))
        return cleaned_data

    def _post_clean(self):
        # The action validates the user (password rules included); the form only reads input.
        pass


class UserUpdateForm(LanguageChoiceMixin, ModelForm):
    """Another user's names, email and language."""

    version = VersionField()

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]
