"""Crafted area and boundary files, uploaded as an attacker would: a ZIP bomb, archives in
archives, GeoJSON nested thousands deep or too large to parse in the memory allowed. Each
fails with a clear message and writes nothing; the process reading it carries on."""

import io
import json
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from barzan.geo import importing
from barzan.geo.actions import import_areas
from barzan.geo.models import Area
from barzan.geo.tests.shapes import square

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOMB_REFUSED = {
    "en": "“provinces.csv” in the archive is compressed ",
    "fa": "«provinces.csv» در فایل فشرده ",
}


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.BARZAN_UNZIP_MAX_ENTRIES = 50
    settings.BARZAN_UNZIP_MAX_BYTES = 64 * MB
    settings.BARZAN_UNZIP_MAX_RATIO = 200
    settings.BARZAN_PARSER_MEMORY_BYTES = 512 * MB
    settings.BARZAN_PARSER_SECONDS = 60
    return settings


def archive(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as file:
        for name, content in members.items():
            file.writestr(name, content)
    return output.getvalue()


def zip_bomb() -> bytes:
    """Return a ZIP of division CSVs of about 30 KB that expands to 32 MB."""
    return archive({"provinces.csv": b"id,name,code\n" + b"0" * (32 * MB)})


def import_divisions(content: bytes):
    return import_areas(
        actor=None, format=importing.DIVISIONS, content=content, source="divisions.zip"
    )


def import_geojson(content: bytes, levels):
    return import_areas(
        actor=None,
        format=importing.GEOJSON,
        content=content,
        source="areas.geojson",
        options=importing.Options(level=levels["county"]),
    )


def only_problem(report) -> str:
    assert not report.applied
    assert len(report.problems) == 1, report.problems
    return report.problems[0].message


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_zip_bomb_of_division_files_is_refused_before_it_is_decompressed(roles, language):
    before = Area.objects.count()

    with translation.override(language):
        message = only_problem(import_divisions(zip_bomb()))

    assert message.startswith(BOMB_REFUSED[language])
    assert Area.objects.count() == before


def test_a_zip_bomb_is_refused_on_the_upload_page(client, login, people, roles):
    login(people.admin)
    client.cookies["barzan_language"] = "en"
    pid = os.getpid()

    response = client.post(
        "/areas/import/",
        {"format": "divisions", "file": SimpleUploadedFile("divisions.zip", zip_bomb())},
    )

    assert response.status_code == 200
    assert BOMB_REFUSED["en"] in response.content.decode()
    assert "more than 200 times is refused" in response.content.decode()
    assert os.getpid() == pid


def test_an_archive_inside_the_division_archive_is_refused(roles):
    inner = archive({"provinces.csv": b"id,name,code\n1,a,01\n"})

    with translation.override("en"):
        message = only_problem(import_divisions(archive({"divisions.zip": inner})))

    assert message == (
        "The archive holds another archive, “divisions.zip”; put the files themselves in one "
        "archive."
    )


def test_division_files_expanding_beyond_the_limit_in_all_are_refused(roles, settings):
    settings.BARZAN_UNZIP_MAX_BYTES = 1 * MB
    settings.BARZAN_UNZIP_MAX_RATIO = 100_000
    content = archive({"provinces.csv": b"0" * (MB // 2 + 1), "counties.csv": b"1" * (MB // 2 + 1)})

    with translation.override("en"):
        message = only_problem(import_divisions(content))

    assert message.startswith("The archive expands to more than 1 MB")


def test_deeply_nested_geojson_is_refused(levels, english):
    content = b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000
    content += b"}"

    message = only_problem(import_geojson(content, levels))

    assert message == "The file is nested too deeply to be a real file of areas."


def test_geojson_needing_more_memory_than_allowed_fails_with_a_message(levels, settings):
    settings.BARZAN_PARSER_MEMORY_BYTES = 160 * MB
    content = b'{"type": "FeatureCollection", "features": [' + b"{}," * (4 * MB) + b"{}]}"
    pid = os.getpid()

    for language, start in (
        ("en", "Reading the file needed more than 160 MB of memory, so it was stopped."),
        ("fa", "خواندن فایل به بیش از ۱۶۰ مگابایت حافظه نیاز داشت و متوقف شد."),
    ):
        with translation.override(language):
            assert only_problem(import_geojson(content, levels)).startswith(start)
    assert os.getpid() == pid


def test_a_geojson_file_is_read_feature_by_feature_as_before(levels, english):
    features = [
        {"type": "Feature", "geometry": square(51.0 + n / 10, 35.7, 0.01), "properties": {}}
        for n in range(3)
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()

    report = import_geojson(content, levels)

    # Three features read; none names a code or a name, which each is told.
    assert {problem.where for problem in report.problems} == {
        "feature 1",
        "feature 2",
        "feature 3",
    }


def boundary_page(client, area, content: bytes):
    return client.post(
        f"/areas/{area.pk}/boundary/",
        {
            "file": SimpleUploadedFile("b.geojson", content, content_type="application/json"),
            "source": "x",
            "version": area.version,
        },
    )


def test_a_deeply_nested_boundary_file_is_refused_on_the_page(client, login, people, areas):
    login(people.tehran_manager)
    client.cookies["barzan_language"] = "en"
    content = b'{"type": "Polygon", "coordinates": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    response = boundary_page(client, areas.district6, content)

    assert response.status_code == 200
    assert "The file is not GeoJSON (JSON) text." in response.content.decode()
    areas.district6.refresh_from_db()
    assert not areas.district6.has_boundary


def test_a_boundary_file_needing_more_memory_than_allowed_is_refused_on_the_page(
    client, login, people, areas, settings
):
    settings.BARZAN_PARSER_MEMORY_BYTES = 160 * MB
    login(people.tehran_manager)
    client.cookies["barzan_language"] = "en"
    content = b'{"type": "Polygon", "coordinates": [' + b"{}," * (4 * MB) + b"{}]}"

    response = boundary_page(client, areas.district6, content)

    assert response.status_code == 200
    assert "Reading the file needed more than 160 MB of memory" in response.content.decode()
