"""
PDF documents rendered from HTML with WeasyPrint, offline.

A document may load only the few local static files named here (the Vazirmatn font and
the profile's style sheet); every other address, a network one above all, is refused,
so rendering never leaves the machine.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language

from barzan.core.text import persian_digits_in_html

# Static files a PDF may use, by their static path. The static TTF cuts, not the
# variable font: a PDF embeds the cuts it uses, and every PDF reader shapes them alike.
FONTS = {
    "regular": "vendor/vazirmatn/ttf/Vazirmatn-Regular.ttf",
    "bold": "vendor/vazirmatn/ttf/Vazirmatn-Bold.ttf",
}
STYLESHEET = "indicators/profile.css"


def static_path(name: str) -> Path:
    """Return the file the static files finders serve as `name`."""
    found = finders.find(name)
    if not found:
        raise ImproperlyConfigured(
            f"The static file {name} is missing; run `npm ci` to install the front-end packages."
        )
    return Path(found).resolve()


def _allowed() -> dict[str, Path]:
    return {name: static_path(name) for name in (*FONTS.values(), STYLESHEET)}


def font_faces() -> str:
    """Return the @font-face rules of Vazirmatn, pointing at the local font files."""
    rules = []
    for weight, cut in (("400", "regular"), ("700", "bold")):
        url = static_path(FONTS[cut]).as_uri()
        rules.append(
            '@font-face { font-family: "Vazirmatn"; font-style: normal;'
            f' font-weight: {weight}; src: url("{url}") format("truetype"); }}'
        )
    return "\n".join(rules)


def local_fetcher():
    """Return a WeasyPrint URL fetcher that serves only the allowed static files."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalStaticFetcher(URLFetcher):
        """Serve only the allowed static files; refuse every other address."""

        def __init__(self, allowed: dict[str, Path]):
            super().__init__(allowed_protocols=("file",))
            self.allowed = set(allowed.values())

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"A PDF loads no address outside this server: {url}")
            path = Path(unquote(parts.path)).resolve()
            if path not in self.allowed:
                raise ValueError(f"A PDF loads only its own static files, not {path}")
            content_type = "font/ttf" if path.suffix == ".ttf" else "text/css"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
            )

    return LocalStaticFetcher(_allowed())


def render(html: str) -> bytes:
    """Return `html` as an A4 PDF; it may load only the local files allowed here.

    A Persian document shows the numbers of its text in Persian digits, as a Persian page
    does (`core.text.persian_digits_in_html`, which the page middleware applies).
    """
    if (get_language() or "fa").startswith("fa"):
        html = persian_digits_in_html(html)
    # Imported here: WeasyPrint loads Pango and its fonts, which only PDF requests need.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = local_fetcher()
    # @font-face rules take effect only through a font configuration shared by all sheets.
    fonts = FontConfiguration()
    stylesheets = [
        CSS(string=font_faces(), url_fetcher=fetcher, font_config=fonts),
        CSS(
            filename=str(static_path(STYLESHEET)),
            url_fetcher=fetcher,
            media_type="print",
            font_config=fonts,
        ),
    ]
    return HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
