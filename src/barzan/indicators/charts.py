"""
Small charts drawn as inline SVG, so that a page and its PDF draw them the same way.

No JavaScript and no chart library: a sparkline is a polyline through the points a
viewer may see. A point the viewer may not see (a suppressed small count) is given as
None and leaves a gap: it is never drawn, and the vertical scale comes only from the
points that are, so the shape of the line says nothing about a hidden value.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 120
HEIGHT = 32
# Room for the dot's radius at the edges, so the first and last points are not cut.
PAD = 3
# Drawn with attributes, not a style sheet: WeasyPrint's SVG does not read the page's CSS.
COLOR = "#0b5d52"


def _coordinate(number: float) -> str:
    # SVG wants Latin digits and a dot, whatever the page's language: never localize here.
    return f"{number:.1f}"


def sparkline(
    points: Sequence[Decimal | float | int | None],
    *,
    label: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Return an SVG sparkline of `points`, oldest first; None is a gap, never drawn.

    Consecutive points are joined; a point with no visible neighbour is a dot, and the
    latest visible point is marked. With no visible point the SVG is empty. `label` is
    read by screen readers (and shown as a tooltip) and must hold only what the viewer
    may see.
    """
    count = len(points)
    drawn = [(index, float(value)) for index, value in enumerate(points) if value is not None]
    shapes: list[SafeString] = []
    if drawn:
        low = min(value for _index, value in drawn)
        high = max(value for _index, value in drawn)
        inner_width = width - 2 * PAD
        inner_height = height - 2 * PAD

        def x(index: int) -> float:
            if count == 1:
                return width / 2
            return PAD + inner_width * index / (count - 1)

        def y(value: float) -> float:
            if high == low:
                return height / 2
            # SVG's y grows downwards: the highest value is at the top.
            return PAD + inner_height * (high - value) / (high - low)

        runs: list[list[tuple[int, float]]] = []
        for index, value in drawn:
            if runs and runs[-1][-1][0] == index - 1:
                runs[-1].append((index, value))
            else:
                runs.append([(index, value)])
        for run in runs:
            if len(run) == 1:
                index, value = run[0]
                shapes.append(
                    format_html(
                        '<circle class="spark-dot" cx="{}" cy="{}" r="2.5" fill="{}"/>',
                        _coordinate(x(index)),
                        _coordinate(y(value)),
                        COLOR,
                    )
                )
            else:
                coordinates = " ".join(
                    f"{_coordinate(x(index))},{_coordinate(y(value))}" for index, value in run
                )
                shapes.append(
                    format_html(
                        '<polyline class="spark-line" points="{}" fill="none" stroke="{}"'
                        ' stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>',
                        coordinates,
                        COLOR,
                    )
                )
        last_index, last_value = drawn[-1]
        if len(runs[-1]) > 1:
            shapes.append(
                format_html(
                    '<circle class="spark-last" cx="{}" cy="{}" r="2.5" fill="{}"/>',
                    _coordinate(x(last_index)),
                    _coordinate(y(last_value)),
                    COLOR,
                )
            )
    title = format_html("<title>{}</title>", label) if label else ""
    return format_html(
        '<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}"'
        ' viewBox="0 0 {} {}" role="img" aria-label="{}" dir="ltr">{}{}</svg>',
        width,
        height,
        width,
        height,
        label,
        title,
        format_html_join("", "{}", ((shape,) for shape in shapes)) if shapes else mark_safe(""),
    )
