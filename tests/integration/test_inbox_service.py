"""The inbox's read model: what each task is about, counts per state, filters and paging."""

import pytest

from engine.errors import Forbidden
from engine.identity import Principal, Role
from engine.services.inbox import InboxFilters, list_inbox
from engine.services.task_details import describe_task
from tests import flows

SXD = Principal("user:cv.sxd", "SXD", {Role.OFFICER})
OFFICE = Principal("user:cv.vpubnd", "VPUBND", {Role.PROVINCIAL_OFFICE})


def test_each_row_says_what_the_task_is_about_and_who_asked(uow_factory, clock, api):
    flows.start(api, consulted=("SXD", "STC"))
    inbox = list_inbox(uow_factory(), clock, SXD, InboxFilters())
    [row] = inbox["items"]
    assert (row["name"], row["title"]) == ("Trả lời ý kiến", flows.REQUEST["title"])
    assert (row["lead_agency_name"], row["agency_name"]) == ("Sở Tư pháp", "Sở Xây dựng")
    assert row["process_name"] and row["dossier_code"] is None
    assert inbox["counts"] == {"open": 1, "overdue": 0} and not inbox["all_agencies"]


def test_an_agency_never_sees_another_agencys_tasks_even_when_it_asks(uow_factory, clock, api):
    flows.start(api, consulted=("STC",))
    assert list_inbox(uow_factory(), clock, SXD, InboxFilters())["total"] == 0
    with pytest.raises(Forbidden):
        list_inbox(uow_factory(), clock, SXD, InboxFilters(agency="STC"))


def test_the_provincial_office_sees_every_agency_and_may_narrow_to_one(uow_factory, clock, api):
    flows.start(api, consulted=("SXD", "STC", "SNNMT"))
    everyone = list_inbox(uow_factory(), clock, OFFICE, InboxFilters(sort="agency"))
    assert [r["agency"] for r in everyone["items"]] == ["SNNMT", "STC", "SXD"]
    assert everyone["all_agencies"] and ("STC", "Sở Tài chính") in everyone["agencies"]
    one = list_inbox(uow_factory(), clock, OFFICE, InboxFilters(agency="STC"))
    assert [r["agency"] for r in one["items"]] == ["STC"]


def test_counts_overdue_filter_and_pages(uow_factory, clock, api):
    for _ in range(3):
        flows.start(api, consulted=("SXD",))
    first = list_inbox(uow_factory(), clock, SXD, InboxFilters(per_page=2))
    assert (first["total"], first["pages"], len(first["items"])) == (3, 2, 2)
    second = list_inbox(uow_factory(), clock, SXD, InboxFilters(per_page=2, page=2))
    assert len(second["items"]) == 1
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    # Due 17:00 Thursday 26/02/2026; at 17:00 that day they are overdue.
    clock.advance(days=14, hours=8)
    late = list_inbox(uow_factory(), clock, SXD, InboxFilters(overdue=True))
    assert late["total"] == 3 and late["counts"]["overdue"] == 3
    done = list_inbox(uow_factory(), clock, SXD, InboxFilters(state="completed"))
    assert done["total"] == 0 and done["counts"]["open"] == 3


def test_nonsense_filters_fall_back_to_the_defaults(uow_factory, clock, api):
    flows.start(api, consulted=("SXD",))
    odd = list_inbox(uow_factory(), clock, SXD, InboxFilters(state="x", sort="drop table", page=0,
                                                             per_page=10_000))
    assert (odd["total"], odd["page"], odd["per_page"]) == (1, 1, 100)


def test_the_task_page_offers_only_the_actions_the_person_may_take(uow_factory, clock, api):
    instance_id, _ = flows.start(api, consulted=("SXD",))
    task = flows.open_task(api, "SXD", instance_id)
    officer = describe_task(uow_factory(), SXD, task["id"])
    assert officer["can"] == {"complete": True, "claim": False, "release": False,
                              "reassign": False, "ask": True}  # no user id: cannot claim
    head = Principal("user:ld.sxd", "SXD", {Role.HEAD}, user_id="u-head")
    assert describe_task(uow_factory(), head, task["id"])["can"] == {
        "complete": True, "claim": True, "release": False, "reassign": True, "ask": True}
    watcher = describe_task(uow_factory(), OFFICE, task["id"])
    assert not any(watcher["can"].values())
    assert watcher["labels"]["title"] == "Tiêu đề"  # named by the form that writes it
