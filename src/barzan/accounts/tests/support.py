"""Small helpers the accounts tests share: codes from an authenticator app, page text, audit."""

import html

from conftest import PASSWORD
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from barzan.audit.models import AuditEvent

__all__ = ["PASSWORD", "confirmed_device", "events", "page_text", "recovery_codes", "totp_code"]


def totp_code(device: TOTPDevice) -> str:
    """Return the code an authenticator app shows for `device` now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    """Give `user` a confirmed authenticator app, as if set up earlier."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def recovery_codes(user, *codes: str) -> StaticDevice:
    """Give `user` one-time recovery codes."""
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def page_text(response) -> str:
    """Return the body of `response` with HTML entities decoded, for searching its text."""
    return html.unescape(response.content.decode())


def events(verb: str, **filters):
    """Return the audit events with `verb`."""
    return AuditEvent.objects.filter(verb=verb, **filters)
