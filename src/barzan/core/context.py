"""Where the current request or background job is, for audit records and logs."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
job_id: ContextVar[str] = ContextVar("job_id", default="")


def current_origin() -> tuple[str, str]:
    """Return (request id, job id) of the code running now; either may be empty."""
    return request_id.get(), job_id.get()
