"""Front-end packages: fetched from the npm registry with `npm ci`, never from a CDN."""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

REQUIRED = (
    "bootstrap",
    "bootstrap-icons",
    "htmx.org",
    "vazirmatn",
    "@majidh1/jalalidatepicker",
    "leaflet",
)


class AssetsError(RuntimeError):
    """Raised when the front-end packages are missing and cannot be installed."""


def missing_packages(node_modules: Path | None = None) -> list[str]:
    """Return the required npm packages that are not installed."""
    node_modules = node_modules or Path(settings.NODE_MODULES)
    return [name for name in REQUIRED if not (node_modules / name / "package.json").exists()]


def ensure_assets(stdout=None) -> bool:
    """Run `npm ci` in the project folder when a package is missing; return whether it ran."""
    if not missing_packages():
        return False
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(
            "The front-end packages are not installed and npm is not on PATH. "
            "Install Node.js 18 or newer (Debian: apt install nodejs npm) and run again."
        )
    if stdout is not None:
        stdout.write("Installing front-end packages with npm ci …\n")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=settings.PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or missing_packages():
        raise AssetsError(f"npm ci failed:\n{result.stdout}\n{result.stderr}")
    return True
