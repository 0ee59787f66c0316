"""What a form's domain keywords may check a submission against."""

import functools
from collections.abc import Callable


class FormContext:
    """The world a submission is checked in: the agency directory, the lead and acting agencies.

    The directory is read only if a form asks for it (the request form does; replies, the
    most frequent submissions, do not), so ``known_agencies`` and ``transfer_check`` may be
    loaders. ``transfer_check(from_agency, to_agency)`` says why a feedback transfer between
    the two is refused, or None when it goes up.
    """

    def __init__(self, known_agencies: frozenset[str] | Callable[[], frozenset[str]] = frozenset(),
                 lead_agency: str | None = None, acting_agency: str | None = None,
                 transfer_check: Callable[[str, str], str | None] | None = None):
        self._known, self.lead_agency = known_agencies, lead_agency
        self.acting_agency, self.transfer_check = acting_agency, transfer_check

    @functools.cached_property
    def known_agencies(self) -> frozenset[str]:
        return frozenset(self._known() if callable(self._known) else self._known)
