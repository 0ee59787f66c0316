"""The dashboard's per-agency totals and the report page's bars, from plain figures."""

from engine.services.reports import backlog_by_agency
from service.pages.reports import rate_bars, score_bars


def test_the_backlog_sums_each_agencys_processes_and_keeps_the_oldest_overdue():
    older, newer = "2026-02-20T10:00:00+00:00", "2026-02-26T10:00:00+00:00"
    rows = [
        {"agency": "SXD", "process_id": "a", "open": 3, "overdue": 1, "oldest_due_at": newer},
        {"agency": "SXD", "process_id": "b", "open": 2, "overdue": 2, "oldest_due_at": older},
        {"agency": "STC", "process_id": "a", "open": 9, "overdue": 0, "oldest_due_at": None},
    ]
    assert backlog_by_agency(rows) == [
        {"agency": "SXD", "open": 5, "overdue": 3, "oldest_due_at": older},
        {"agency": "STC", "open": 9, "overdue": 0, "oldest_due_at": None},
    ]


def test_bars_scale_to_the_largest_score_whatever_its_sign_and_skip_the_unranked():
    rows = [{"name": "A", "score": 40.0}, {"name": "B", "score": -80.0}, {"name": "C", "score": None}]
    bars = score_bars(rows)
    assert [(b["name"], b["width"], b["text"]) for b in bars] == [("A", 50.0, "40,00"),
                                                                  ("B", 100.0, "-80,00")]


def test_rate_bars_show_percentages_and_leave_out_agencies_without_dossiers():
    rows = [{"name": "A", "on_time_rate": 0.875}, {"name": "B", "on_time_rate": None}]
    assert [(b["width"], b["text"]) for b in rate_bars(rows)] == [(87.5, "87,5%")]
