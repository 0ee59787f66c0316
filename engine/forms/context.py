"""What a form's domain keywords may check a submission against."""

import functools
from collections.abc import Callable


class FormContext:
    """The world a submission is checked in: the agency directory and the lead agency.

    The directory is read only if a form asks for it (the request form does; replies, the
    most frequent submissions, do not), so ``known_agencies`` may be a loader.
    """

    def __init__(self, known_agencies: frozenset[str] | Callable[[], frozenset[str]] = frozenset(),
                 lead_agency: str | None = None):
        self._known, self.lead_agency = known_agencies, lead_agency

    @functools.cached_property
    def known_agencies(self) -> frozenset[str]:
        return frozenset(self._known() if callable(self._known) else self._known)
