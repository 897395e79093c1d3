"""`barzan demo` collects the static files again only when one of them changed."""

import os

import pytest

from barzan.management.commands import demo as demo_command


@pytest.fixture
def static_root(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    return settings.STATIC_ROOT


def test_nothing_collected_yet_means_collect(static_root):
    assert demo_command.static_files_are_current() is False


def test_a_manifest_newer_than_every_source_file_skips_collecting(static_root):
    (static_root / "staticfiles.json").write_text("{}")
    assert demo_command.static_files_are_current() is True


def test_a_source_file_changed_after_collecting_means_collect_again(static_root):
    manifest = static_root / "staticfiles.json"
    manifest.write_text("{}")
    # Collected at the epoch: every file it comes from has changed since.
    os.utime(manifest, (0, 0))
    assert demo_command.static_files_are_current() is False
