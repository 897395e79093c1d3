"""Declare, once for every operation, the errors any call of Barzan's API may answer.

Each router lists the errors its own logic gives (409 for a stale version, 415 for a
DHIS2 import in another format). The ones below can come from anywhere: the middleware
refusing a character no field may hold (400), a missing or refused token, an address
outside the user's areas, a path or query no operation matches, a body too large, or a
front server refusing an address too long. Schemathesis and client generators read the
document, so it must name every status an operation can answer.
"""

from barzan.core.api import Error

EVERY_OPERATION = {
    400: "The request could not be read: malformed JSON or a character no field may hold.",
    401: "No valid API token or logged-in session.",
    403: "Your roles do not allow this.",
    404: "Nothing was found here, or it lies outside your areas.",
    422: "A parameter or field is not valid; `details` names each one.",
    503: "The database is busy; try again after the seconds in `Retry-After`.",
}
WITH_A_BODY = {
    413: "The body is too large.",
}


# The front server (gunicorn, or a proxy before it) refuses a long address before Barzan
# sees it, so that answer is HTML.
TOO_LONG = {
    "description": "The address is too long; the front server answers it.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _add_error_schemas(schema: dict) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Error" in components:
        return
    document = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(document.pop("$defs", {}))
    components["Error"] = document


def document_errors(schema: dict) -> dict:
    """Add the errors every operation may answer to each operation of `schema`; return it."""
    _add_error_schemas(schema)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(EVERY_OPERATION)
            if "requestBody" in operation:
                errors.update(WITH_A_BODY)
            responses = operation["responses"]
            # ninja keys responses by number until the document is serialised.
            documented = {int(status) for status in responses}
            for status, description in errors.items():
                if status not in documented:
                    responses[status] = _error(description)
            if 414 not in documented:
                responses[414] = TOO_LONG
    return schema
