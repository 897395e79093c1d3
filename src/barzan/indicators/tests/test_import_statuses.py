"""An import's status says what happened to the file, not only which state it is in."""

import pytest
from django.utils import translation

from barzan.core.models import ImportStatus
from barzan.indicators.models import ValueImport


def an_import(status, **fields) -> ValueImport:
    return ValueImport(status=status, file_name="figures.csv", **fields)


CHECKED, FAILED = ImportStatus.CHECKED, ImportStatus.FAILED
STATES = [
    # (fields of the import, its status in Persian, the badge's colour)
    ({"status": CHECKED, "problem_count": 3}, "بررسی شد؛ ۳ ایراد دارد و چیزی ثبت نشد", "danger"),
    ({"status": CHECKED, "new_count": 4}, "بررسی شد؛ آمادهٔ اعمال", "warning"),
    ({"status": CHECKED, "unchanged_count": 9}, "بررسی شد؛ چیزی برای تغییر نیست", "secondary"),
    ({"status": ImportStatus.QUEUED}, "در انتظار آغاز", "secondary"),
    ({"status": ImportStatus.RUNNING}, "در حال بررسی", "secondary"),
    ({"status": ImportStatus.RUNNING, "is_applying": True}, "در حال اعمال", "secondary"),
    ({"status": ImportStatus.DONE, "new_count": 4}, "اعمال شد", "success"),
    ({"status": FAILED}, "ناموفق؛ چیزی ثبت نشد", "danger"),
    ({"status": FAILED, "steps_done": 2}, "نیمه‌کاره متوقف شد؛ بخشی اعمال شده است", "danger"),
]


@pytest.mark.parametrize(("fields", "label", "tone"), STATES)
def test_each_state_reads_truthfully(fields, label, tone):
    value_import = an_import(**fields)
    with translation.override("fa"):
        assert value_import.status_label == label
    assert value_import.status_tone == tone


def test_a_file_with_problems_is_never_waiting_to_be_applied():
    with translation.override("fa"):
        label = an_import(ImportStatus.CHECKED, problem_count=1).status_label
    assert "در انتظار اعمال" not in label
    assert "آمادهٔ اعمال" not in label
