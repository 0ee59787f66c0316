"""The navigation of the signed-in pages, as data: base.html renders the entries a person may use.

Each group of pages appends its entries here, in the order they should appear. An entry with
no roles is for everyone signed in; otherwise the person needs one of them. The pages still
check authority themselves: hiding a link is courtesy, not security.
"""

from dataclasses import dataclass

from engine.identity import Principal, Role

WORKERS = frozenset({Role.OFFICER, Role.HEAD, Role.DEPUTY, Role.PROVINCIAL_OFFICE, Role.ADMIN})


@dataclass(frozen=True)
class Entry:
    """One navigation link: its Vietnamese label, the Flask endpoint and who sees it."""

    label: str
    endpoint: str
    roles: frozenset[Role] = frozenset()

    def visible_to(self, principal: Principal) -> bool:
        return not self.roles or principal.has_any(self.roles)


ENTRIES: list[Entry] = [
    Entry("Việc cần xử lý", "pages.inbox.index", WORKERS),
    Entry("Đề nghị về thời hạn", "pages.deadline_requests.index", WORKERS),
    Entry("Nhiệm vụ được giao", "pages.assignments.index", WORKERS),
    Entry("Thiết kế quy trình", "pages.designer.process_list", frozenset({Role.DESIGNER, Role.ADMIN})),
    Entry("Nhận thư báo việc", "web.notification_preferences"),
    Entry("Danh mục thủ tục", "pages.catalog.index"),
    Entry("Quản trị", "pages.admin.index", frozenset({Role.ADMIN, Role.HEAD})),
]


def entries_for(principal: Principal) -> list[Entry]:
    """Return the entries the principal sees, in order."""
    return [e for e in ENTRIES if e.visible_to(principal)]
