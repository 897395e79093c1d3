"""
Stored roll-ups of indicator values up the area tree.

An area's *effective* value is its own raw value when it has one, else its roll-up.
A roll-up is computed from the effective values of the area's children by the
indicator's aggregation rule: sum (and stock), mean, or mean weighted by the children's
populations. A child without a population of its own (a district whose neighborhoods
have one) weighs what its reporting children weighed, kept in the roll-up's `weight`, so
a weighted mean is the same at every level as over the leaves. Calculated indicators are
never stored: readers divide the sums of their numerator and denominator at whatever
level is asked.

`refresh()` rewrites the roll-ups of the ancestors of the areas that changed, deepest
first, so each level reads the level below it already refreshed. It runs inside the
writing action's transaction: a failed import leaves the roll-ups as they were.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from .choices import Aggregation, IndicatorKind

# SQLite allows 32,766 parameters per statement; keep well below.
_CHUNK = 900

_DELETE = """
DELETE FROM indicators_indicatoraggregate
WHERE area_id IN ({parents}) AND indicator_id IN ({indicators}) AND period_id IN ({periods})
"""

# The effective values of the children of {parents} (raw values, and roll-ups where a
# child has no raw value of its own) are grouped first, then joined to their indicator
# for its rule, and to the number of children each parent had in each period
# (completeness), counted once per parent and period rather than once per figure; the
# coverage adds up the children's own (1 for a reported figure) over that number. A
# child without a population weighs what its own roll-up weighed; COALESCE looks that up
# only for such children.
_INSERT = """
INSERT INTO indicators_indicatoraggregate
    (indicator_id, area_id, period_id, breakdown_id, value, reported_count, expected_count,
     weight, coverage)
SELECT s.indicator_id, s.parent_id, s.period_id, s.breakdown_id,
    CASE i.aggregation
        WHEN '{mean}' THEN s.mean
        WHEN '{weighted}' THEN s.weighted / NULLIF(s.weight, 0)
        ELSE s.total
    END,
    s.reported, COALESCE(x.expected, 0), s.weight,
    CASE WHEN x.expected IS NULL OR x.expected = 0 THEN NULL
         WHEN s.coverage >= x.expected THEN 1
         ELSE s.coverage * 1.0 / x.expected END
FROM (
    SELECT e.indicator_id, e.parent_id, e.period_id, e.breakdown_id,
        SUM(e.value) AS total, AVG(e.value) AS mean, COUNT(*) AS reported,
        SUM(e.value * e.weight * 1.0) AS weighted, SUM(e.weight) AS weight,
        SUM(e.coverage) AS coverage
    FROM (
        SELECT v.indicator_id, c.parent_id, v.period_id, v.breakdown_id, v.value, 1.0 AS coverage,
            COALESCE(c.population, (
                SELECT w.weight FROM indicators_indicatoraggregate w
                WHERE w.area_id = v.area_id AND w.period_id = v.period_id
                  AND w.indicator_id = v.indicator_id AND w.breakdown_id = v.breakdown_id
            )) AS weight
        FROM geo_area c
        JOIN indicators_indicatorvalue v ON v.area_id = c.id
        WHERE c.parent_id IN ({parents})
          AND v.indicator_id IN ({indicators}) AND v.period_id IN ({periods})
        UNION ALL
        SELECT g.indicator_id, c.parent_id, g.period_id, g.breakdown_id, g.value,
            COALESCE(g.coverage, 0), COALESCE(c.population, g.weight)
        FROM geo_area c
        JOIN indicators_indicatoraggregate g ON g.area_id = c.id
        WHERE c.parent_id IN ({parents})
          AND g.indicator_id IN ({indicators}) AND g.period_id IN ({periods})
          AND g.value IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM indicators_indicatorvalue r
              WHERE r.area_id = g.area_id AND r.period_id = g.period_id
                AND r.indicator_id = g.indicator_id AND r.breakdown_id = g.breakdown_id)
    ) e
    GROUP BY e.indicator_id, e.parent_id, e.period_id, e.breakdown_id
) s
JOIN indicators_indicator i ON i.id = s.indicator_id
LEFT JOIN (
    SELECT c.parent_id, p.id AS period_id, COUNT(*) AS expected
    FROM geo_area c CROSS JOIN indicators_period p
    WHERE c.parent_id IN ({parents}) AND p.id IN ({periods})
      AND (c.valid_to IS NULL OR c.valid_to >= p.start)
      AND (c.valid_from IS NULL OR c.valid_from <= p."end")
    GROUP BY c.parent_id, p.id
) x ON x.parent_id = s.parent_id AND x.period_id = s.period_id
WHERE i.aggregation <> '{none}' AND i.kind = '{measured}'
"""


def _ancestors_by_depth(area_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return the ancestors of `area_ids` (not the areas themselves), grouped by depth."""
    by_depth: dict[int, set[int]] = defaultdict(set)
    area_ids = list(set(area_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(area_ids), _CHUNK):
            chunk = area_ids[start : start + _CHUNK]
            cursor.execute(
                f"SELECT path FROM geo_area WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for (path,) in cursor.fetchall():
                ids = [int(part) for part in path.strip("/").split("/")]
                for depth, ancestor in enumerate(ids[:-1]):
                    by_depth[depth].add(ancestor)
    return by_depth


def refresh(*, area_ids: Iterable[int], indicator_ids: Iterable[int], period_ids: Iterable[int]):
    """Rewrite the roll-ups of `indicator_ids` × `period_ids` for every ancestor of `area_ids`.

    Return the number of roll-up rows written.
    """
    indicator_ids = sorted(set(indicator_ids))
    period_ids = sorted(set(period_ids))
    if not indicator_ids or not period_ids:
        return 0
    by_depth = _ancestors_by_depth(area_ids)
    written = 0
    indicators = ", ".join(str(int(pk)) for pk in indicator_ids)
    periods = ", ".join(str(int(pk)) for pk in period_ids)
    with connection.cursor() as cursor:
        for depth in sorted(by_depth, reverse=True):
            parents = sorted(by_depth[depth])
            for start in range(0, len(parents), _CHUNK):
                chunk = ", ".join(str(int(pk)) for pk in parents[start : start + _CHUNK])
                names = {"parents": chunk, "indicators": indicators, "periods": periods}
                cursor.execute(_DELETE.format(**names))
                cursor.execute(
                    _INSERT.format(
                        **names,
                        mean=Aggregation.MEAN,
                        weighted=Aggregation.WEIGHTED_MEAN,
                        none=Aggregation.NONE,
                        measured=IndicatorKind.MEASURED,
                    )
                )
                written += max(cursor.rowcount, 0)
    return written


def rebuild() -> int:
    """Recompute every roll-up from the raw values (after a change of the tree)."""
    from .models import IndicatorAggregate, IndicatorValue

    IndicatorAggregate.objects.all().delete()
    total = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT indicator_id, period_id FROM indicators_indicatorvalue")
        pairs = cursor.fetchall()
    by_period: dict[int, set[int]] = defaultdict(set)
    for indicator_id, period_id in pairs:
        by_period[period_id].add(indicator_id)
    area_ids = IndicatorValue.objects.values_list("area_id", flat=True).distinct()
    area_ids = list(area_ids)
    for period_id, indicator_ids in by_period.items():
        total += refresh(area_ids=area_ids, indicator_ids=indicator_ids, period_ids=[period_id])
    return total
