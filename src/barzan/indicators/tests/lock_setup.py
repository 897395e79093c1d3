"""Build a small installation for the write-lock tests (run with `barzan shell`)."""

from barzan.geo.actions import create_area
from barzan.geo.models import AreaLevel
from barzan.indicators.actions import create_indicator
from barzan.indicators.models import Category, Period
from barzan.registry.models import Organization

level = {item.code: item for item in AreaLevel.objects.all()}
iran = create_area(actor=None, level=level["country"], code="IR", name_fa="ایران")
tehran = create_area(actor=None, level=level["province"], code="23", name_fa="تهران", parent=iran)
for number in range(100):
    create_area(
        actor=None,
        level=level["county"],
        code=f"23{number:02d}",
        name_fa=f"شهرستان {number}",
        parent=tehran,
    )
owner = Organization.objects.create(code="stats", name_fa="آمار", kind="agency", area=tehran)
category = Category.objects.create(code="people", name_fa="مردم")
for number in range(5):
    create_indicator(
        actor=None,
        code=f"count{number}",
        name_fa=f"شمار {number}",
        value_type="count",
        aggregation="sum",
        owner=owner,
        category=category,
    )
print(
    ",".join(
        Period.objects.filter(period_type="quarter")
        .order_by("start")
        .values_list("code", flat=True)[:40]
    )
)
