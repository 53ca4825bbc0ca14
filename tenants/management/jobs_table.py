"""The short table `askesos run-job` and `askesos job-runs` print: LPA, day, state,
result (or the error)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from askesos.dates import format_date
from tenants.jobs import DayOutcome
from tenants.models import JobRunState

RESULT_MAX_CHARS = 100


def state_words(state: str, *, forced: bool = False) -> str:
    if state == DayOutcome.SKIPPED:
        return _("already done")
    if state == "queued":
        return _("sent to the worker")
    if state == JobRunState.DONE and forced:
        return _("done (forced)")
    return str(JobRunState(state).label).lower()


def result_words(result: dict, error: str = "") -> str:
    text = error or ", ".join(f"{key}={value}" for key, value in result.items())
    text = " ".join(text.split())
    return text if len(text) <= RESULT_MAX_CHARS else text[: RESULT_MAX_CHARS - 1] + "…"


class Table:
    """Rows written as they come, so that a long run shows its progress."""

    def __init__(self, out: Any, *, lpa_width: int) -> None:
        self.out = out
        self.widths = (max(lpa_width, 3), 11, 24)
        self.row(_("LPA"), _("Day"), _("State"), _("Result"))

    def row(self, lpa: str, day: Any, state: str, result: str) -> None:
        day_text = format_date(day) if not isinstance(day, str) else day
        cells = [lpa, day_text, state]
        line = "  ".join(cell.ljust(width) for cell, width in zip(cells, self.widths, strict=True))
        self.out.write(f"{line}  {result}".rstrip())

    def outcome(self, lpa: str, outcome: DayOutcome) -> None:
        self.row(
            lpa,
            outcome.day,
            state_words(outcome.state, forced=outcome.forced),
            result_words(outcome.result, outcome.error),
        )
