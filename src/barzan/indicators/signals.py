"""
Keep the stored roll-ups in step with the area tree (roll-ups are a cache of raw values).

An area's population weighs its figures in population-weighted means above it; when an
area is saved (its population may have changed), the weighted means of its ancestors are
refreshed. Moves, splits and merges rewrite many paths at once: run `barzan
rebuild_rollups` after them.
"""

from django.db import connection

from . import rollups
from .choices import Aggregation


def refresh_weighted_means(sender, instance, created, raw=False, **kwargs):
    if created or raw or instance.pk is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT v.indicator_id, v.period_id
            FROM indicators_indicatorvalue v
            JOIN indicators_indicator i ON i.id = v.indicator_id
            WHERE v.area_id = %s AND i.aggregation = %s
            UNION
            SELECT DISTINCT g.indicator_id, g.period_id
            FROM indicators_indicatoraggregate g
            JOIN indicators_indicator i ON i.id = g.indicator_id
            WHERE g.area_id = %s AND i.aggregation = %s""",
            [instance.pk, Aggregation.WEIGHTED_MEAN, instance.pk, Aggregation.WEIGHTED_MEAN],
        )
        pairs = cursor.fetchall()
    for indicator_id, period_id in pairs:
        rollups.refresh(
            area_ids=[instance.pk], indicator_ids=[indicator_id], period_ids=[period_id]
        )
