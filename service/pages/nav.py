"""The navigation of the signed-in pages, as data: base.html renders the entries a person may use.

Each group of pages appends its entries here, in the order they should appear. An entry with
no roles is for everyone signed in; otherwise the person needs one of them. The pages still
check authority themselves: hiding a link is courtesy, not security.
"""

from dataclasses import dataclass

from engine.identity import Principal, Role

WORKERS = frozenset({Role.OFFICER, Role.HEAD, Role.DEPUTY, Role.PROVINCIAL_OFFICE, Role.ADMIN})
DESK_WORKERS = frozenset({Role.OFFICER, Role.HEAD, Role.DEPUTY})
# Agencies with a one-stop desk: the public service centre and every commune.
DESK_KINDS = frozenset({"trung_tam_phvu_hcc", "ubnd_xa_phuong"})


@dataclass(frozen=True)
class Entry:
    """One navigation link: its Vietnamese label, the Flask endpoint and who sees it."""

    label: str
    endpoint: str
    roles: frozenset[Role] = frozenset()
    agency_kinds: frozenset[str] = frozenset()  # none: any agency

    def visible_to(self, principal: Principal, agency_kind: str | None = None) -> bool:
        return (not self.roles or principal.has_any(self.roles)) \
            and (not self.agency_kinds or agency_kind in self.agency_kinds)


ENTRIES: list[Entry] = [
    Entry("Việc cần xử lý", "pages.inbox.index", WORKERS),
    Entry("Khởi tạo", "pages.start.index", WORKERS),
    Entry("Đề nghị về thời hạn", "pages.deadline_requests.index", WORKERS),
    Entry("Hồ sơ một cửa", "pages.desk.dossiers", DESK_WORKERS, DESK_KINDS),
    Entry("Tiếp nhận hồ sơ", "pages.desk.receive_form", DESK_WORKERS, DESK_KINDS),
    Entry("Việc quá hạn", "pages.supervision.overdue", frozenset({Role.PROVINCIAL_OFFICE, Role.ADMIN})),
    Entry("Nhiệm vụ được giao", "pages.assignments.index", WORKERS),
    Entry("Báo cáo kỷ luật", "pages.reports.report",
          frozenset({Role.HOME_AFFAIRS, Role.PROVINCIAL_OFFICE, Role.ADMIN})),
    Entry("Thiết kế quy trình", "pages.designer.process_list", frozenset({Role.DESIGNER, Role.ADMIN})),
    Entry("Nhận thư báo việc", "web.notification_preferences"),
    Entry("Danh mục thủ tục", "pages.catalog.index"),
    Entry("Quản trị", "pages.admin.index", frozenset({Role.ADMIN, Role.HEAD})),
]


def entries_for(principal: Principal, agency_kind: str | None = None) -> list[Entry]:
    """Return the entries the principal, of an agency of this kind, sees, in order."""
    return [e for e in ENTRIES if e.visible_to(principal, agency_kind)]
