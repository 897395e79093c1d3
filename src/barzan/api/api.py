"""The NinjaAPI instance: authentication, errors, and every app's router."""

from ninja import NinjaAPI

from barzan.accounts.api import router as me_router
from barzan.audit.api import router as audit_router
from barzan.geo.api import router as areas_router
from barzan.indicators.api import router as indicators_router
from barzan.indicators.reporting_api import router as reporting_router
from barzan.registry.api import router as organizations_router

from . import errors
from .auth import TokenAuth, VerifiedSessionAuth
from .docs import LocalSwagger
from .openapi import document_errors


class BarzanAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document names the errors every operation may answer."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = BarzanAPI(
    title="Barzan API",
    version="1",
    description=(
        "Barzan's API. Authenticate with an API token from your account page "
        "(`Authorization: Bearer <token>`) or, from a browser, with your session. "
        "Every list and record is limited to your areas and roles. Errors always have the "
        'form `{"error": {"status", "code", "message", "details"}}`.'
    ),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    # No validator badge: Swagger UI would otherwise call validator.swagger.io.
    docs=LocalSwagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/me", me_router)
api.add_router("/areas", areas_router)
api.add_router("/organizations", organizations_router)
api.add_router("/audit-events", audit_router)
api.add_router("/indicators", indicators_router)
api.add_router("/reporting", reporting_router)

__all__ = ["api"]
