"""Where uploaded value files wait, and the progress a running import reports."""

from pathlib import Path

from django.conf import settings


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(stored_name: str) -> Path:
    return folder() / stored_name


def progress_path(stored_name: str) -> Path:
    return folder() / f"{stored_name}.progress"


def write_progress(stored_name: str, read_bytes: int, rows: int) -> None:
    # The import runs in one transaction, which nobody else sees until it commits; the
    # progress bar reads this small file beside the upload instead.
    progress_path(stored_name).write_text(f"{read_bytes} {rows}")


def read_progress(stored_name: str) -> tuple[int, int]:
    """Return (bytes read, rows read) of a running import; (0, 0) before it starts."""
    try:
        read_bytes, rows = progress_path(stored_name).read_text().split()
        return int(read_bytes), int(rows)
    except (OSError, ValueError):
        return 0, 0
