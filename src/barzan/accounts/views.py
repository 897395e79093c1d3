"""
Pages for logging in, two-factor authentication, one's own account, and administering
other users and their grants.
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.access.models import Grant
from barzan.access.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ScopedViewMixin,
    access_exempt,
)

from . import actions
from .filters import UserFilterSet
from .forms import (
    ApiTokenForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    TokenForm,
    UserCreateForm,
    UserUpdateForm,
)
from .models import ApiToken, User
from .readers import (
    grants_of,
    has_confirmed_device,
    login_locks_of,
    tokens_of,
    two_factor_required,
    two_factor_state,
    users_for,
)
from .tables import UserTable

PUBLIC = "Open to anyone: logging in, resetting a password or choosing a language shows no data."
OWN_ACCOUNT = "Acts only on request.user's own account."


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# -- logging in and out


@access_exempt(PUBLIC)
@method_decorator([sensitive_post_parameters("password"), never_cache], name="dispatch")
class LoginView(FormView):
    template_name = "accounts/login.html"
    form_class = LoginForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor_state(request) == "ok":
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs

    def form_valid(self, form):
        actions.log_in(self.request, form.get_user())
        target = _safe_next(self.request, reverse(settings.LOGIN_REDIRECT_URL))
        state = two_factor_state(self.request)
        # Encoded, so that a next with its own query string (?a=1&b=2) arrives whole.
        query = urlencode({"next": target})
        if state == "verify":
            return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
        if state == "setup":
            return redirect(f"{reverse('accounts:two_factor_setup')}?{query}")
        return redirect(target)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Log in")
        context["next"] = _safe_next(self.request, "")
        return context


@access_exempt(PUBLIC)
class LogoutView(View):
    http_method_names = ["post"]

    def post(self, request):
        actions.log_out(request)
        messages.info(request, _("You have logged out."))
        return redirect(settings.LOGOUT_REDIRECT_URL)


@access_exempt(PUBLIC)
class LanguageView(View):
    """Switch the page language; remembered on the account, and in a cookie before login."""

    http_method_names = ["post"]

    def post(self, request):
        language = request.POST.get("language", "")
        target = _safe_next(
            request, reverse("reports:home") if request.user.is_authenticated else "/"
        )
        response = HttpResponseRedirect(target)
        if language not in dict(settings.LANGUAGES):
            return response
        if request.user.is_authenticated:
            actions.set_language(actor=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        return response


# -- two-factor authentication


@access_exempt(OWN_ACCOUNT)
@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(LoginRequiredMixin, FormView):
    template_name = "accounts/two_factor_verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor_state(request) != "verify":
            return redirect(_safe_next(request, reverse("reports:home")))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        device = match_token(self.request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error(
                "token", _("That code is not right, or it was already used. Try the newest code.")
            )
            return self.form_invalid(form)
        actions.complete_two_factor(self.request, device)
        return redirect(_safe_next(self.request, reverse("reports:home")))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(page_title=_("Two-factor code"), next=_safe_next(self.request, ""))
        return context


@access_exempt(OWN_ACCOUNT)
@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """Show a QR code for an authenticator app, confirm it with a code, show recovery codes."""

    template_name = "accounts/two_factor_setup.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor_state(request) == "verify":
            query = urlencode({"next": _safe_next(request, "")})
            return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
        return super().dispatch(request, *args, **kwargs)

    def get_device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        return device or actions.start_two_factor(actor=self.request.user)

    def form_valid(self, form):
        device = self.get_device()
        try:
            codes = actions.confirm_two_factor(
                request=self.request, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            form.add_error("token", error.message_dict.get("token", error.messages))
            return self.form_invalid(form)
        return render(
            self.request,
            "accounts/recovery_codes.html",
            {
                "codes": codes,
                "page_title": _("Recovery codes"),
                "next": _safe_next(self.request, reverse("reports:home")),
            },
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.get_device()
        secret = device.config_url.split("secret=")[1].split("&")[0]
        context.update(
            page_title=_("Turn on two-factor authentication"),
            qr_svg=segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            required=two_factor_required(self.request.user),
            has_device=has_confirmed_device(self.request.user),
            next=_safe_next(self.request, ""),
        )
        return context


# -- one's own account


@access_exempt(OWN_ACCOUNT)
class AccountView(LoginRequiredMixin, TemplateView):
    """Profile, language, password, two-factor status and API tokens of the logged-in user."""

    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.setdefault(
            "profile_form", ProfileForm(instance=user, initial={"version": user.version})
        )
        context.setdefault("token_form", ApiTokenForm())
        context.update(
            page_title=_("My account"),
            tokens=tokens_of(user),
            has_device=has_confirmed_device(user),
            two_factor_required=two_factor_required(user),
            grants=grants_of(user),
        )
        return context

    def post(self, request):
        if request.POST.get("form") == "token":
            return self.create_token(request)
        return self.save_profile(request)

    def save_profile(self, request):
        form = ProfileForm(request.POST, instance=request.user, actor=request.user)
        if form.is_valid():
            try:
                actions.update_profile(
                    actor=request.user,
                    user=request.user,
                    version=form.cleaned_data.get("version"),
                    **{name: form.cleaned_data[name] for name in ProfileForm.Meta.fields},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:account")
        request.user.refresh_from_db()
        return self.render_to_response(self.get_context_data(profile_form=form))

    def create_token(self, request):
        form = ApiTokenForm(request.POST, actor=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(token_form=form))
        try:
            token, raw = actions.create_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_on"],
                scope=form.cleaned_data["scope"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.render_to_response(self.get_context_data(token_form=form))
        context = {"token": token, "raw": raw, "page_title": _("New API token")}
        return render(request, "accounts/api_token_created.html", context)


@access_exempt(OWN_ACCOUNT)
class TwoFactorDisableView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        actions.reset_two_factor(actor=request.user, user=request.user)
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:account")


class ApiTokenRevokeView(ScopedViewMixin, View):
    """Revoke an API token: one's own, or one of a user the administrator administers."""

    model = ApiToken
    http_method_names = ["post"]

    def post(self, request, pk):
        token = policy.get_object_for(
            request.user, self.get_base_queryset().select_related("user"), pk=pk
        )
        actions.revoke_api_token(actor=request.user, token=token)
        messages.success(
            request, _("The token was revoked; programs using it can no longer connect.")
        )
        return redirect(_safe_next(request, reverse("accounts:account")))


@access_exempt(OWN_ACCOUNT)
@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:account")
    extra_context = {
        "page_title": _("Change password"),
        "cancel_url": reverse_lazy("accounts:account"),
    }

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs

    def form_valid(self, form):
        actions.change_password(
            actor=self.request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return HttpResponseRedirect(self.get_success_url())


@access_exempt(PUBLIC)
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"page_title": _("Reset your password")}


@access_exempt(PUBLIC)
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"page_title": _("Check your email")}


@access_exempt(PUBLIC)
@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"page_title": _("Choose a new password")}

    def form_valid(self, form):
        actions.reset_password(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


@access_exempt(PUBLIC)
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"page_title": _("Password set")}


# -- administering users


class UserListView(ScopedListView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    create_url_name = "accounts:user_create"
    export_name = "users"
    page_title = _("Users and access")
    page_description = _("People who work in your areas, their roles and where they hold them.")

    def get_base_queryset(self):
        return users_for(self.request.user)


class UserDetailView(ScopedDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    context_object_name = "account"

    def get_base_queryset(self):
        return users_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        grants = list(account.grants.all())
        context.update(
            page_title=str(account),
            grants=[
                (
                    grant,
                    policy.can_grant(
                        self.request.user, grant.role, grant.area, grant.organization_id
                    ),
                )
                for grant in grants
            ],
            can_administer=policy.can_administer(self.request.user, account),
            can_add_grant=policy.can(self.request.user, MANAGE),
            has_device=has_confirmed_device(account),
            login_locks=login_locks_of(account),
            tokens=policy.scope(self.request.user, VIEW, account.api_tokens.all()),
        )
        return context


class UserCreateView(ScopedCreateView):
    model = User
    form_class = UserCreateForm
    page_title = _("New user")
    success_message = _("The user was created.")
    cancel_url = reverse_lazy("accounts:user_list")

    def perform(self, form):
        data = form.cleaned_data
        user = actions.create_user(
            actor=self.request.user,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            language=data["language"],
            password=data["password"],
            role=data["role"],
            area=data["area"],
            organization=data["organization"],
        )
        if not data["password"]:
            actions.send_password_link(request=self.request, actor=self.request.user, user=user)
        return user


class UserAdministerMixin:
    """Changes to another account need `policy.can_administer`, stricter than seeing it."""

    model = User

    def get_base_queryset(self):
        return users_for(self.request.user)

    def authorize(self, obj):
        policy.require_administer(self.request.user, obj)


class UserUpdateView(UserAdministerMixin, ScopedUpdateView):
    form_class = UserUpdateForm
    success_message = _("The user was saved.")

    def get_initial(self):
        return {"version": self.object.version}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Edit %(user)s") % {"user": self.object}
        return context

    def perform(self, form):
        return actions.update_profile(
            actor=self.request.user,
            user=self.object,
            version=form.cleaned_data.get("version"),
            **{name: form.cleaned_data[name] for name in UserUpdateForm.Meta.fields},
        )


class UserCommandView(UserAdministerMixin, ScopedViewMixin, View):
    """A one-button change to another account: (de)activate, unlock, reset two-factor, send a
    link."""

    http_method_names = ["post"]

    def post(self, request, pk, command):
        account = get_object_or_404(self.get_queryset(), pk=pk)
        self.authorize(account)
        if command == "deactivate":
            actions.set_user_active(actor=request.user, user=account, is_active=False)
            messages.success(request, _("The user was deactivated and can no longer log in."))
        elif command == "activate":
            actions.set_user_active(actor=request.user, user=account, is_active=True)
            messages.success(request, _("The user was activated."))
        elif command == "unlock":
            actions.unlock_user(
                actor=request.user, user=account, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The user can log in again from every address."))
        elif command == "reset-two-factor":
            actions.reset_two_factor(
                actor=request.user, user=account, reason=request.POST.get("reason", "")
            )
            messages.success(
                request,
                _(
                    "The user's two-factor devices were removed; "
                    "they set up a new one at next login."
                ),
            )
        elif command == "send-password-link":
            try:
                actions.send_password_link(request=request, actor=request.user, user=account)
            except ValidationError:
                messages.error(request, _("This user has no email address. Add one first."))
            else:
                messages.success(
                    request, _("A link to choose a new password was emailed to the user.")
                )
        else:
            raise Http404
        return redirect(account.get_absolute_url())


class GrantCreateView(UserAdministerMixin, ScopedUpdateView):
    """Give another role to a user one may see (the grant itself is checked by can_grant)."""

    form_class = GrantForm
    success_message = _("The role was given.")

    def authorize(self, obj):
        policy.require(self.request.user, MANAGE)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Give a role to %(user)s") % {"user": self.object}
        return context

    def perform(self, form):
        data = form.cleaned_data
        actions.grant_role(
            actor=self.request.user,
            user=self.object,
            role=data["role"],
            area=data["area"],
            organization=data["organization"],
        )
        return self.object


class GrantRevokeView(ScopedViewMixin, View):
    model = Grant
    http_method_names = ["post"]

    def post(self, request, pk):
        grant = policy.get_object_for(
            request.user, Grant.objects.select_related("user", "role", "area"), pk=pk
        )
        try:
            actions.revoke_grant(
                actor=request.user, grant=grant, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The role was revoked."))
        return redirect(grant.user.get_absolute_url())
