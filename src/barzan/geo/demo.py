"""
Demo geography from the project's copy of Iran's divisions (see data/README.md).

Loads the country, its 31 provinces and 448 counties, and the city of Tehran with its 22
urban districts. The geography issue replaces this with the full import (sectors, every
city and district, boundaries).
"""

import csv
from pathlib import Path

from .actions import create_area
from .models import Area, AreaLevel

DATA_DIR = Path(__file__).parent / "data" / "iran-divisions"

PROVINCE_NAMES_EN = {
    "00": "Markazi", "01": "Gilan", "02": "Mazandaran", "03": "East Azerbaijan",
    "04": "West Azerbaijan", "05": "Kermanshah", "06": "Khuzestan", "07": "Fars", "08": "Kerman",
    "09": "Razavi Khorasan", "10": "Isfahan", "11": "Sistan and Baluchestan", "12": "Kurdistan",
    "13": "Hamadan", "14": "Chaharmahal and Bakhtiari", "15": "Lorestan", "16": "Ilam",
    "17": "Kohgiluyeh and Boyer-Ahmad", "18": "Bushehr", "19": "Zanjan", "20": "Semnan",
    "21": "Yazd", "22": "Hormozgan", "23": "Tehran", "24": "Ardabil", "25": "Qom", "26": "Qazvin",
    "27": "Golestan", "28": "North Khorasan", "29": "South Khorasan", "30": "Alborz",
}  # fmt: skip

COUNTRY_CODE = "IR"
TEHRAN_CITY_CODE = "2301021576"


def read_rows(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def county_code(raw: str) -> str:
    """Return the four-digit county code: Markazi's counties lost their leading zero."""
    return raw.strip().zfill(4)


def load() -> Area:
    """Create the demo tree and return the country."""
    levels = {level.code: level for level in AreaLevel.objects.all()}
    country = create_area(
        actor=None, level=levels["country"], code=COUNTRY_CODE, name_fa="ایران", name_en="Iran"
    )
    provinces = {}
    for row in read_rows("provinces.csv"):
        code = row["code"].strip().zfill(2)
        provinces[row["id"]] = create_area(
            actor=None,
            level=levels["province"],
            code=code,
            name_fa=row["name"],
            name_en=PROVINCE_NAMES_EN.get(code, ""),
            parent=country,
        )
    counties = {}
    for row in read_rows("counties.csv"):
        counties[row["id"]] = create_area(
            actor=None,
            level=levels["county"],
            code=county_code(row["code"]),
            name_fa=row["name"],
            parent=provinces[row["province_id"]],
        )
    tehran = next(row for row in read_rows("cities.csv") if row["code"] == TEHRAN_CITY_CODE)
    city = create_area(
        actor=None,
        level=levels["city"],
        code=tehran["code"],
        name_fa=tehran["name"],
        name_en="Tehran",
        parent=counties[tehran["county_id"]],
    )
    for row in read_rows("city_districts.csv"):
        if row["city_id"] == tehran["id"]:
            create_area(
                actor=None,
                level=levels["district"],
                code=row["code"],
                name_fa=row["name"],
                name_en=f"Tehran District {row['district']}",
                parent=city,
            )
    return country
