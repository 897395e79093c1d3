"""Helpers the API tests share."""


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Assert `response` is the one error format with `status`; return its error body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    if code is not None:
        assert error["code"] == code
    return error


def token_for(user, scope="read_write"):
    """Create a token for `user` and return it with its value; a user whose role requires
    two-factor authentication gets a device first, as the account page demands."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from barzan.accounts.actions import create_api_token
    from barzan.accounts.readers import two_factor_required

    if two_factor_required(user) and not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return create_api_token(actor=user, name="t", scope=scope)
