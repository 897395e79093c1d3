"""Seed the fixed breakdowns and every Jalali period from 1380 to 1420.

Both lists are fixed: a file naming a breakdown or a period that is not here is wrong.
"""

from django.db import migrations

AGE_GROUPS = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "95-99",
]  # fmt: skip

EDUCATION = [
    ("elementary", "ابتدایی", "Elementary school"),
    ("middle", "راهنمایی", "Middle school"),
    ("high-school", "متوسطه", "High school"),
    ("college", "پیش‌دانشگاهی و دیپلم", "College"),
    ("higher", "آموزش عالی", "Higher education"),
    ("other-education", "سایر دوره‌ها", "Other education"),
    ("illiterate", "بی‌سواد", "Illiterate"),
    ("education-unknown", "نامشخص", "Unknown"),
]


def breakdowns():
    yield "total", "total", "کل", "Total"
    yield "male", "sex", "مرد", "Male"
    yield "female", "sex", "زن", "Female"
    for group in AGE_GROUPS:
        low, high = group.split("-")
        yield f"age-{group}", "age_group", f"{low} تا {high} ساله", f"Aged {group}"
    yield "age-100-plus", "age_group", "100 ساله و بیشتر", "Aged 100 and over"
    for code, name_fa, name_en in EDUCATION:
        yield code, "education", name_fa, name_en


def seed(apps, schema_editor):
    from barzan.indicators.periods import all_specs

    Breakdown = apps.get_model("indicators", "Breakdown")
    Period = apps.get_model("indicators", "Period")
    for order, (code, dimension, name_fa, name_en) in enumerate(breakdowns()):
        Breakdown.objects.update_or_create(
            code=code,
            defaults={
                "dimension": dimension,
                "name_fa": name_fa,
                "name_en": name_en,
                "order": order,
            },
        )
    Period.objects.bulk_create(
        [
            Period(
                code=spec.code,
                period_type=spec.period_type,
                year=spec.year,
                number=spec.number,
                start=spec.start,
                end=spec.end,
            )
            for spec in all_specs()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_catalogue")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
