"""Form 05 judges each hand-off by day, as the one-stop desk does."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from engine.documents import HandoffVerdict, handoff_verdict
from engine.services.documents import receipt_secret

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = datetime(2026, 3, 6, 7, 30, tzinfo=UTC)  # 14:30 Fri 06/03 in Hanoi


def test_a_step_done_on_an_earlier_day_is_early():
    assert handoff_verdict(datetime(2026, 3, 5, 9, 0, tzinfo=UTC), DUE, HANOI) == HandoffVerdict.EARLY


def test_a_step_done_on_its_due_day_before_the_instant_is_on_time():
    # 07:45 Fri 06/03 Hanoi: same local day, before 14:30.
    assert handoff_verdict(datetime(2026, 3, 6, 0, 45, tzinfo=UTC), DUE, HANOI) == HandoffVerdict.ON_TIME


def test_the_local_day_decides_not_the_utc_one():
    # 06:00 Fri 06/03 in Hanoi is still Thu 05/03 in UTC: on time, not early.
    assert handoff_verdict(datetime(2026, 3, 5, 23, 0, tzinfo=UTC), DUE, HANOI) == HandoffVerdict.ON_TIME


def test_a_step_done_after_its_due_instant_is_late_even_the_same_day():
    assert handoff_verdict(datetime(2026, 3, 6, 7, 31, tzinfo=UTC), DUE, HANOI) == HandoffVerdict.LATE


def test_an_open_step_and_a_step_without_a_deadline():
    assert handoff_verdict(None, DUE, HANOI) == HandoffVerdict.OPEN
    assert handoff_verdict(DUE, None, HANOI) == HandoffVerdict.ON_TIME
    assert HandoffVerdict.LATE.label == "Quá hạn" and HandoffVerdict.EARLY.label == "Trước hạn"


def test_the_receipt_secret_depends_on_the_code_and_the_key():
    secret = receipt_secret("key", "BN-SXD-260212-0001")
    assert len(secret) == 8 and secret == secret.upper()
    assert secret != receipt_secret("key", "BN-SXD-260212-0002")
    assert secret != receipt_secret("other", "BN-SXD-260212-0001")
