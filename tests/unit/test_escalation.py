"""The escalation ladder as a pure policy: rung instants on real dates, and its config file."""

from datetime import UTC, datetime

import pytest

from engine.calendar import WorkCalendar
from engine.escalation import Ladder, LadderBook, Rung

CAL = WorkCalendar.from_file()
DUE = datetime(2026, 2, 13, 10, tzinfo=UTC)  # Friday 13/2/2026 17:00, the last day before Tết


def test_default_rungs_skip_tet_when_counting_after_the_due_date():
    rungs = Ladder().rungs(DUE, CAL, deemed_consent=False)
    assert rungs == [
        (Rung.REMINDER, datetime(2026, 2, 12, 10, tzinfo=UTC)),   # Thu 12/2 17:00
        (Rung.OVERDUE, DUE),
        (Rung.ESCALATION, datetime(2026, 2, 24, 10, tzinfo=UTC)),  # 23, 24/2 after Tết
    ]


def test_deemed_consent_comes_before_escalation_at_the_same_instant():
    rungs = Ladder(deemed_consent_after=16).rungs(DUE, CAL, deemed_consent=True)
    same = [r for r, at in rungs if at == datetime(2026, 2, 24, 10, tzinfo=UTC)]
    assert same == [Rung.DEEMED_CONSENT, Rung.ESCALATION]


def test_a_rung_set_off_is_not_scheduled():
    assert [r for r, _ in Ladder(reminder_before=None).rungs(DUE, CAL, False)] == [
        Rung.OVERDUE, Rung.ESCALATION]


def test_agency_override_wins_over_process_and_default(tmp_path):
    path = tmp_path / "ladder.toml"
    path.write_text("""
[default]
escalate_after = "3 working_days"
[process.lay_y_kien_phoi_hop]
reminder_before = "2 working_days"
[process.lay_y_kien_phoi_hop.agency.SXD]
reminder_before = "4 working_hours"
""", encoding="utf-8")
    book = LadderBook.from_file(path)
    assert book.for_task("khac", "SXD") == Ladder(escalate_after=24)
    assert book.for_task("lay_y_kien_phoi_hop", "STC") == Ladder(reminder_before=16, escalate_after=24)
    assert book.for_task("lay_y_kien_phoi_hop", "SXD") == Ladder(reminder_before=4, escalate_after=24)


@pytest.mark.parametrize("text", ['reminder_before = "1 week"', 'reminder_before = "-1 working_days"',
                                  'remind = "1 working_days"'])
def test_bad_ladder_settings_are_refused(tmp_path, text):
    path = tmp_path / "ladder.toml"
    path.write_text(f"[default]\n{text}\n", encoding="utf-8")
    with pytest.raises(ValueError):
        LadderBook.from_file(path)


def test_shipped_ladder_file_is_valid():
    assert LadderBook.from_file().default == Ladder(unclaimed_after=8)  # the file turns it on
