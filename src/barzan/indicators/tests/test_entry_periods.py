"""Data entry opens on the period that needs work, not on an empty one with nothing to do."""

from types import SimpleNamespace

import pytest

from barzan.indicators.entry_periods import PeriodProgress, period_needing_work


def progress(*states: str) -> list[PeriodProgress]:
    """Periods newest first, each "empty", "partial" or "complete" out of 10 figures."""
    entered = {"empty": 0, "partial": 4, "complete": 10}
    return [
        PeriodProgress(
            period=SimpleNamespace(code=f"P{index}"), entered=entered[state], expected=10
        )
        for index, state in enumerate(states)
    ]


@pytest.mark.parametrize(
    ("states", "opened"),
    [
        (("partial", "complete", "complete"), "P0"),
        # The current period not begun, the last one left unfinished: finish that first.
        (("empty", "partial", "complete"), "P1"),
        # Everything before is complete: the next period to fill.
        (("empty", "complete", "complete"), "P0"),
        (("empty", "empty", "complete"), "P1"),
        # Nothing to do, or nothing begun: the form's usual default.
        (("complete", "complete"), None),
        (("empty", "empty"), None),
        ((), None),
    ],
)
def test_the_form_opens_on_the_period_that_needs_work(states, opened):
    found = period_needing_work(progress(*states))
    assert (found.code if found else None) == opened


def test_a_period_with_nothing_expected_is_neither_partial_nor_complete():
    item = PeriodProgress(period=None, entered=0, expected=0)
    assert (item.is_partial, item.is_complete, item.percent) == (False, False, 0)
    assert PeriodProgress(period=None, entered=3, expected=4).percent == 75
