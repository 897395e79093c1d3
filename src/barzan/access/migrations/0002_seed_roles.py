"""Seed the five roles of the foundation; a deployment may add its own."""

from django.db import migrations

ROLES = [
    {
        "code": "national_admin",
        "name_fa": "مدیر ملی سامانه",
        "name_en": "National administrator",
        "description_fa": "همه‌چیز را در سراسر کشور می‌بیند و مدیریت می‌کند، از جمله کاربران و نقش‌ها.",
        "description_en": "Sees and manages everything in the country, users and roles included.",
        "actions": ["view", "capture", "approve", "manage", "export", "audit"],
        "rank": 100,
        "is_privileged": True,
    },
    {
        "code": "area_manager",
        "name_fa": "مدیر محدوده",
        "name_en": "Area manager",
        "description_fa": "در استان یا شهرستان خود همه‌چیز را می‌بیند، تأیید و مدیریت می‌کند و به دیگران نقش می‌دهد.",
        "description_en": "Sees, approves and manages everything in their province or county, and grants roles there.",
        "actions": ["view", "capture", "approve", "manage", "export", "audit"],
        "rank": 50,
        "is_privileged": True,
    },
    {
        "code": "analyst",
        "name_fa": "تحلیلگر",
        "name_en": "Analyst",
        "description_fa": "داده‌های محدوده خود را می‌بیند و خروجی می‌گیرد، بی‌آنکه چیزی را تغییر دهد.",
        "description_en": "Reads and exports the data of their areas, without changing anything.",
        "actions": ["view", "export"],
        "rank": 10,
        "is_privileged": False,
    },
    {
        "code": "council_secretary",
        "name_fa": "دبیر شورای محله",
        "name_en": "Council secretary",
        "description_fa": "اعضا، جلسات و مصوبات شورا و داده‌های محله را ثبت می‌کند.",
        "description_en": "Keeps the council's members, meetings and resolutions, and enters the neighborhood's figures.",
        "actions": ["view", "capture"],
        "rank": 10,
        "is_privileged": False,
    },
    {
        "code": "agency_focal_point",
        "name_fa": "کارشناس دستگاه",
        "name_en": "Agency focal point",
        "description_fa": "مصوبات و درخواست‌های ارجاع‌شده به دستگاه را پیگیری و آمار دستگاه را ثبت می‌کند.",
        "description_en": "Follows up what is referred to the agency and enters the agency's statistics.",
        "actions": ["view", "capture", "export"],
        "rank": 10,
        "is_privileged": False,
    },
]


def seed(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    for role in ROLES:
        Role.objects.update_or_create(
            code=role["code"], defaults={k: v for k, v in role.items() if k != "code"}
        )


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
