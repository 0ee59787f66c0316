"""Decide when a failed job runs again: exponential backoff with jitter, as a pure function.

With the default policy the waits after each failed attempt are, before jitter:

    after attempt   1     2     3       4        5        6         7 to 9     10
    wait            10 s  40 s  2m40s   10m40s   42m40s   2h50m40s  6 h each   give up

so a job is tried ten times over about 21 h 48 min (between 17 h 26 min and 26 h 9 min
with ±20 % jitter): roughly a day, long enough to ride out an agency's overnight outage,
short enough that a failure reaches a person the next working day. Webhook delivery
reuses the same policy.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try a job and how long to wait between tries."""

    max_attempts: int = 10
    base: timedelta = timedelta(seconds=10)
    factor: float = 4
    cap: timedelta = timedelta(hours=6)
    jitter: float = 0.2

    def nominal_delay(self, attempts: int) -> timedelta:
        """Return the wait after the given number of failed attempts, before jitter."""
        # Cap in float seconds: an uncapped delay of many attempts overflows timedelta.
        seconds = self.base.total_seconds() * self.factor ** (attempts - 1)
        return timedelta(seconds=min(seconds, self.cap.total_seconds()))


def next_attempt_at(
    policy: RetryPolicy,
    attempts: int,
    now: datetime,
    rand: Callable[[], float] = random.random,
) -> datetime | None:
    """Return when to try again after `attempts` tries have failed, or None to give up.

    Jitter spreads the nominal wait by ±policy.jitter, so jobs that failed together (an
    agency's endpoint went down) do not all come back in the same second. It applies
    after the cap, so even capped retries are spread out.
    """
    if attempts < 1:
        raise ValueError("attempts counts tries made so far, so it is at least 1")
    if attempts >= policy.max_attempts:
        return None
    spread = 1 + policy.jitter * (2 * rand() - 1)
    return now + policy.nominal_delay(attempts) * spread
