"""The retry policy: exponential backoff, capped, jittered, and giving up after about a day."""

from datetime import UTC, datetime, timedelta

import pytest

from engine.retry import RetryPolicy, next_attempt_at

NOW = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
POLICY = RetryPolicy()


def no_jitter() -> float:
    return 0.5


def wait(attempts: int, policy: RetryPolicy = POLICY, rand=no_jitter) -> timedelta:
    return next_attempt_at(policy, attempts, NOW, rand) - NOW


def test_first_retry_waits_the_base_delay():
    assert wait(1) == timedelta(seconds=10)


def test_each_failure_multiplies_the_wait_by_the_factor():
    assert [wait(n).total_seconds() for n in range(1, 7)] == [10, 40, 160, 640, 2560, 10240]


def test_the_wait_never_exceeds_the_cap():
    assert wait(7) == wait(8) == wait(9) == timedelta(hours=6)
    huge = RetryPolicy(max_attempts=500)
    assert wait(499, huge) == timedelta(hours=6)


@pytest.mark.parametrize("attempts", [1, 3, 5, 9])
def test_jitter_spreads_the_wait_by_at_most_twenty_percent(attempts):
    nominal = wait(attempts)
    assert wait(attempts, rand=lambda: 0.0) == nominal * 0.8
    assert wait(attempts, rand=lambda: 0.999999) == pytest.approx(nominal * 1.2, rel=1e-5)
    assert wait(attempts, rand=lambda: 0.25) == nominal * 0.9


def test_gives_up_once_the_attempts_are_spent():
    assert next_attempt_at(POLICY, POLICY.max_attempts - 1, NOW, no_jitter) is not None
    assert next_attempt_at(POLICY, POLICY.max_attempts, NOW, no_jitter) is None
    assert next_attempt_at(POLICY, POLICY.max_attempts + 3, NOW, no_jitter) is None


def test_a_job_that_never_ran_cannot_be_retried():
    with pytest.raises(ValueError):
        next_attempt_at(POLICY, 0, NOW, no_jitter)


def test_the_default_policy_keeps_trying_for_roughly_a_day():
    def span(rand) -> timedelta:
        return sum((wait(n, rand=rand) for n in range(1, POLICY.max_attempts)), timedelta())

    assert span(no_jitter) == timedelta(hours=21, minutes=47, seconds=30)
    assert timedelta(hours=17) < span(lambda: 0.0) < span(lambda: 0.999) < timedelta(hours=27)


def test_a_custom_policy_is_honoured():
    quick = RetryPolicy(max_attempts=3, base=timedelta(seconds=1), factor=2,
                        cap=timedelta(seconds=3), jitter=0)
    assert [wait(n, quick, rand=lambda: 0.0).total_seconds() for n in (1, 2)] == [1, 2]
    assert next_attempt_at(quick, 3, NOW) is None
