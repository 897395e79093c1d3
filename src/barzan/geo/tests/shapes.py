"""Small GeoJSON the geography tests draw with, and loading it as the system would."""

import json

from barzan.geo import importing
from barzan.geo.actions import import_areas


def square(lon: float, lat: float, size: float) -> dict:
    """A square polygon with its south-west corner at (lon, lat), `size` degrees wide."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature_collection(*features) -> bytes:
    """A GeoJSON file of (geometry, properties) pairs."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": geometry, "properties": properties}
                for geometry, properties in features
            ],
        },
        ensure_ascii=False,
    ).encode()


def load(level, *features, parent=None) -> None:
    """Import (geometry, properties) pairs at `level`, as the system; the import must pass."""
    report = import_areas(
        actor=None,
        format=importing.GEOJSON,
        content=feature_collection(*features),
        source="test.geojson",
        options=importing.Options(level=level, parent=parent),
    )
    assert report.ok, report.problems
