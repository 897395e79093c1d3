"""Stored sort keys: filling them in for rows written before (or without) `NamedModel.save`."""

from .text import sort_key

_BATCH = 2000


def backfill_sort_keys(*labels: str):
    """Return a migration step that sets `sort_fa` and `sort_en` of every row of the models
    named by `labels` («geo.Area»).

    A migration's historical models do not run `NamedModel.save`, so the keys are computed
    here. Run it again (a new migration) whenever `core.text.sort_key` changes its order.
    """

    def backfill(apps, schema_editor) -> None:
        for label in labels:
            model = apps.get_model(label)
            rows = []
            for row in model.objects.only("pk", "name_fa", "name_en").iterator(_BATCH):
                row.sort_fa = sort_key(row.name_fa)
                row.sort_en = sort_key(row.name_en or row.name_fa)
                rows.append(row)
                if len(rows) >= _BATCH:
                    model.objects.bulk_update(rows, ["sort_fa", "sort_en"])
                    rows = []
            model.objects.bulk_update(rows, ["sort_fa", "sort_en"])

    return backfill
