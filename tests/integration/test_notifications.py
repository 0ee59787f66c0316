"""People hear of their work by email, through a real SMTP server on loopback.

A consultation climbs the whole ladder across Tết 2026 on a frozen clock; at every step a
worker that claimed jobs is killed and two others race for the rest, and the receiver must
see each expected message, to each expected person, exactly once.
"""

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from engine import directory, services
from engine.escalation import Ladder, LadderBook
from engine.identity import Role
from engine.retry import RetryPolicy
from engine.rules import Rules
from engine.store.jobs import JobStatus, jobs
from engine.store.tables import delegations, outbox
from engine.worker import Worker
from notifications import handlers as notification_handlers
from notifications.audience import Audience
from notifications.config import NotificationConfig
from notifications.mailers import SmtpMailer, SmtpSettings
from notifications.repositories import Preference, Preferences
from notifications.tables import DeliveryMode, notifications
from tests import flows
from tests.conftest import PROCESSES, Api
from tests.smtp_receiver import SmtpReceiver
from tests.webhook_receiver import Receiver
from webhooks import handlers as webhook_handlers

AGENCIES = ("STP", "SXD", "STC", "SNNMT", "VPUBND")
SENDER = "Đúng hạn <khong-tra-loi@dunghan.test>"
LEASE = timedelta(seconds=60)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def smtp():
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def people(uow_factory, clock) -> dict[str, str]:
    """Give each agency an officer, a head and a deputy with email addresses; STC an officer without."""
    ids = {}
    for code in AGENCIES:
        extra = ["provincial_office"] if code == "VPUBND" else []
        for prefix, roles in (("cv", ["officer"]), ("ld", ["head"]), ("pho", ["deputy", "officer"])):
            username = f"{prefix}.{code.lower()}"
            ids[username] = directory.seed_user(uow_factory(), clock, username, f"Người {username}", code,
                                                roles + extra, None, email=f"{username}@dunghan.test")
    ids["tv.stc"] = directory.seed_user(uow_factory(), clock, "tv.stc", "Thực tập STC", "STC",
                                        ["officer"], None)
    return ids


class Province:
    """The API, a notification-enabled queue, and the receiver, on one frozen clock."""

    def __init__(self, uow_factory, clock, tokens, people, smtp, policy: RetryPolicy | None = None):
        from service.app import create_app

        # Silence counts as consent 3 working days after the due date, so escalation comes first.
        rules = Rules(Rules.from_files().calendar, LadderBook(Ladder(deemed_consent_after=24), {}, {}))
        mailer = SmtpMailer(SmtpSettings("127.0.0.1", smtp.port, "none"), SENDER, timeout=5)
        app = create_app({"DATABASE_URL": uow_factory.url, "CLOCK": clock, "RULES": rules,
                          "PROCESSES_DIR": PROCESSES, "MAILER": mailer,
                          "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"})
        config: NotificationConfig = app.extensions["notifications"]
        notification_handlers.enable(uow_factory())
        self.handlers = {**services.handlers(rules),
                         **webhook_handlers.handlers(uow_factory, app.extensions["webhooks"]),
                         **notification_handlers.handlers(uow_factory, config)}
        self.uow_factory, self.clock, self.smtp, self.people, self.policy = (
            uow_factory, clock, smtp, people, policy or RetryPolicy())
        # The lead's officer acts with a token bound to her account, so she started the case.
        tokens["STP"] = directory.issue_token(uow_factory(), clock, "STP", Role.OFFICER, "cv.stp",
                                              user_id=people["cv.stp"])
        self.api = Api(app.test_client(), tokens)

    def worker(self, name: str) -> Worker:
        return Worker(self.uow_factory, self.clock, self.handlers, worker_id=name, lease=LEASE,
                      policy=self.policy)

    def drain(self, at: datetime | None = None, kill: bool = True) -> None:
        """Run everything due at ``at``: one worker claims and dies, two race, then the lease expires."""
        if at:
            self.clock.set(at)
        if kill:
            with self.uow_factory() as uow:
                uow.jobs.claim("killed-worker", self.clock.now(), 3, LEASE)  # and never heard of again
                uow.commit()
        self._race()
        self.clock.advance(seconds=LEASE.total_seconds() + 1)
        self._race()

    def _race(self) -> None:
        for _ in range(20):  # each round fans out what the last one recorded
            ran: list[int] = []
            threads = [threading.Thread(target=lambda w=w, ran=ran: ran.append(w.run_once()))
                       for w in (self.worker("a"), self.worker("b"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if not any(ran):
                return
        raise AssertionError("the queue never ran dry")

    def mails(self) -> Counter:
        return Counter((m.to.split("@")[0], m.kind) for m in self.smtp.mails)

    def take(self) -> Counter:
        taken = self.mails()
        self.smtp.mails.clear()
        return taken


@pytest.fixture
def province(uow_factory, clock, tokens, people, smtp) -> Province:
    return Province(uow_factory, clock, tokens, people, smtp)


def test_each_rung_reaches_the_expected_people_exactly_once_across_racing_and_killed_workers(province):
    p = province
    instance_id, _ = flows.start(p.api)  # Thursday 12/2/2026 09:00: due 26/2 17:00 (see test_enforcement)
    p.drain()
    assert p.take() == Counter({
        ("cv.stp", "assigned"): 1, ("pho.stp", "assigned"): 1,  # the draft, then the three replies
        ("cv.sxd", "assigned"): 1, ("pho.sxd", "assigned"): 1, ("cv.stc", "assigned"): 1,
        ("pho.stc", "assigned"): 1, ("cv.snnmt", "assigned"): 1, ("pho.snnmt", "assigned"): 1})

    p.clock.set(utc(2026, 2, 13, 3))
    assert flows.reply(p.api, "SXD", instance_id, "agree").status_code == 200
    p.drain()
    assert p.take() == Counter({("cv.stp", "reply_received"): 1})  # the officer who started it

    p.drain(utc(2026, 2, 25, 10))  # 25/2 17:00: one working day before the due date
    assert p.take() == Counter({("cv.stc", "reminder"): 1, ("pho.stc", "reminder"): 1,
                                ("cv.snnmt", "reminder"): 1, ("pho.snnmt", "reminder"): 1})

    p.drain(utc(2026, 2, 26, 10))  # at the due instant: officers and heads
    assert p.take() == Counter({("cv.stc", "overdue"): 1, ("pho.stc", "overdue"): 1,
                                ("ld.stc", "overdue"): 1, ("cv.snnmt", "overdue"): 1,
                                ("pho.snnmt", "overdue"): 1, ("ld.snnmt", "overdue"): 1})

    p.clock.set(utc(2026, 2, 27, 3))
    assert flows.reply(p.api, "STC", instance_id, "agree_with_amendments").status_code == 200
    p.drain(utc(2026, 3, 2, 10))  # +2 working days (27/2, 2/3): escalation of the silent SNNMT
    assert p.take() == Counter({("cv.stp", "reply_received"): 1, ("ld.snnmt", "escalation"): 1,
                                ("ld.vpubnd", "escalation"): 1, ("cv.vpubnd", "escalation"): 1,
                                ("pho.vpubnd", "escalation"): 1})

    p.drain(utc(2026, 3, 3, 10))  # +3 working days: deemed consent; the synthesis is the lead's
    assert p.take() == Counter({("cv.stp", "deemed_agreed"): 1, ("cv.stp", "assigned"): 1,
                                ("pho.stp", "assigned"): 1})

    with p.uow_factory.engine.connect() as conn:
        unreachable = conn.execute(sa.select(notifications.c.kind).where(
            notifications.c.user_id == p.people["tv.stc"])).scalars().all()
    assert sorted(unreachable) == ["assigned", "overdue", "reminder"]  # kept, for administrators


def test_a_message_names_the_task_the_case_the_lead_the_due_instant_and_the_days_left(province):
    p = province
    flows.start(p.api, consulted=("SXD",))
    p.drain(utc(2026, 2, 25, 10))
    [mail] = [m for m in p.smtp.mails if m.to == "cv.sxd@dunghan.test" and m.kind == "reminder"]
    assert mail.subject == ("[Đúng hạn] Nhắc hạn: Trả lời ý kiến – Dự thảo Quyết định quy định quản lý "
                            "cây xanh đô thị (còn 1 ngày làm việc)")
    text = mail.text()
    for line in ("Kính gửi Người cv.sxd,", "Cơ quan đề nghị: Sở Tư pháp", "Cơ quan thực hiện: Sở Xây dựng",
                 "Hạn: 17:00 Thứ Năm 26/02/2026 (giờ Việt Nam)", "Tình trạng: còn 1 ngày làm việc",
                 "Mở nhiệm vụ: http://127.0.0.1:8000/?task="):
        assert line in text
    assert "<th" in mail.html() and "Sở Tư pháp" in mail.html()
    assert mail.message["Message-ID"].endswith("@dunghan.test>")


def test_a_refusing_server_is_retried_then_the_notification_is_dead_lettered(
        uow_factory, clock, tokens, people, smtp):
    p = Province(uow_factory, clock, tokens, people, smtp,
                 policy=RetryPolicy(max_attempts=3, base=timedelta(seconds=10), jitter=0))
    smtp.refuse = "451 4.3.0 Hộp thư tạm thời không nhận"
    flows.start(p.api, consulted=("SXD",))
    p.drain(kill=False)
    p.drain(p.clock.now() + timedelta(seconds=10), kill=False)   # second try
    p.drain(p.clock.now() + timedelta(seconds=40), kill=False)   # third and last
    assert smtp.mails == [] and smtp.refused == 3 * 4  # four people, three tries each
    listed = p.api("GET", "/api/v1/notifications?status=dead", "VPUBND_admin")
    assert listed.status_code == 200, listed.json
    dead = listed.json["items"]
    assert sorted(d["username"] for d in dead) == ["cv.stp", "cv.sxd", "pho.stp", "pho.sxd"]
    assert all(d["attempts"] == 3 and d["last_error"].startswith("SMTP 451") for d in dead)
    assert p.api("GET", "/api/v1/notifications?status=dead", "SXD").status_code == 403


def test_muting_silences_a_kind_except_overdue_and_escalation(province):
    p = province
    with p.uow_factory() as uow:
        Preferences(uow.conn).put(p.people["cv.snnmt"], Preference(
            muted=frozenset({"assigned", "reminder", "overdue", "escalation"})), p.clock.now())
        Preferences(uow.conn).put(p.people["ld.snnmt"], Preference(
            muted=frozenset({"overdue", "escalation"})), p.clock.now())
        uow.commit()
    flows.start(p.api, consulted=("SNNMT",))
    p.drain()
    p.drain(utc(2026, 2, 25, 10))
    p.drain(utc(2026, 2, 26, 10))
    p.drain(utc(2026, 3, 2, 10))
    assert {k for (who, k) in p.mails() if who == "cv.snnmt"} == {"overdue"}
    assert {k for (who, k) in p.mails() if who == "pho.snnmt"} == {"assigned", "reminder", "overdue"}
    assert {k for (who, k) in p.mails() if who == "ld.snnmt"} == {"overdue", "escalation"}


def test_a_digest_collects_the_days_items_at_the_chosen_hour_on_working_days_only(province):
    p = province
    with p.uow_factory() as uow:
        Preferences(uow.conn).put(p.people["cv.sxd"], Preference(DeliveryMode.DIGEST, 8), p.clock.now())
        uow.commit()
    p.clock.set(utc(2026, 2, 13, 4))  # Friday 13/2 11:00, the last working day before Tết
    first, _ = flows.start(p.api, consulted=("SXD",))
    second, _ = flows.start(p.api, consulted=("SXD",), title="Dự thảo Nghị quyết về phí vệ sinh")
    p.drain()
    assert ("cv.sxd", "assigned") not in p.mails() and p.mails()[("pho.sxd", "assigned")] == 2
    # Tết: 14–22/2 are days off; the digest waits for Monday 23/2 08:00 (01:00 UTC).
    p.drain(utc(2026, 2, 23, 0, 58))  # a minute before: the drain itself moves the clock 61 s
    assert ("cv.sxd", "digest") not in p.mails()
    p.drain(utc(2026, 2, 23, 1))
    [digest] = [m for m in p.smtp.mails if m.kind == "digest"]
    assert digest.to == "cv.sxd@dunghan.test"
    assert digest.subject == "[Đúng hạn] Tổng hợp 2 thông báo, Thứ Hai 23/02/2026"
    assert "cây xanh đô thị" in digest.text() and "phí vệ sinh" in digest.text()
    p.drain(utc(2026, 2, 24, 1))
    assert [m.kind for m in p.smtp.mails].count("digest") == 1  # nothing new, no empty digest


def test_overdue_reaches_a_digest_reader_at_once(province):
    p = province
    with p.uow_factory() as uow:
        Preferences(uow.conn).put(p.people["ld.sxd"], Preference(DeliveryMode.DIGEST, 8), p.clock.now())
        uow.commit()
    flows.start(p.api, consulted=("SXD",))
    p.drain(utc(2026, 2, 26, 10))
    assert p.mails()[("ld.sxd", "overdue")] == 1


def test_a_delegated_deputy_hears_what_the_head_would_during_the_delegation_only(province, uow_factory):
    p = province
    starts, ends = utc(2026, 3, 1, 17), utc(2026, 3, 2, 17)  # 2/3 00:00 to 3/3 00:00 in Hà Nội
    with uow_factory() as uow:
        uow.directory.add_delegation(agency_code="SNNMT", from_user_id=p.people["ld.snnmt"],
                                     to_user_id=p.people["pho.snnmt"], starts_at=starts, ends_at=ends,
                                     reason="Giám đốc đi công tác", created_at=starts)
        uow.commit()
        audience = Audience(uow.conn)
        at = {when: {r.username for r in audience.heads("SNNMT", when)}
              for when in (starts - timedelta(seconds=1), starts, ends - timedelta(seconds=1), ends)}
    assert list(at.values()) == [{"ld.snnmt"}, {"ld.snnmt", "pho.snnmt"}, {"ld.snnmt", "pho.snnmt"},
                                 {"ld.snnmt"}]
    flows.start(p.api, consulted=("SNNMT",))
    p.drain(utc(2026, 3, 2, 10))  # the escalation (heads and the Office) falls inside the delegation
    assert p.mails()[("pho.snnmt", "escalation")] == 1
    with uow_factory() as uow:
        uow.conn.execute(sa.delete(delegations))
        uow.commit()
    second, _ = flows.start(p.api, consulted=("SNNMT",))
    p.smtp.mails.clear()
    p.drain(utc(2026, 3, 18, 10))  # well past the second one's escalation, no delegation in force
    assert p.mails()[("ld.snnmt", "escalation")] == 1 and ("pho.snnmt", "escalation") not in p.mails()


def test_notifications_are_announced_as_notification_events_for_chat_bridges(province):
    p = province
    flows.start(p.api, consulted=("SXD",))
    p.drain()
    with p.uow_factory.engine.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.payload).where(outbox.c.type == "notification.assigned"))
        payloads = list(rows.scalars())
    sxd = [e for e in payloads if e["agency"] == "SXD"]
    assert len(sxd) == 1 and sorted(r["username"] for r in sxd[0]["recipients"]) == ["cv.sxd", "pho.sxd"]
    assert sxd[0]["subject"].startswith("[Đúng hạn] Nhiệm vụ mới: Trả lời ý kiến")
    with p.uow_factory.engine.connect() as conn:
        stuck = conn.execute(sa.select(sa.func.count()).select_from(jobs).where(
            jobs.c.status.in_([JobStatus.FAILED, JobStatus.RUNNING]))).scalar_one()
    assert stuck == 0


def test_people_set_their_own_preferences_but_cannot_mute_overdue_or_escalation(province):
    p = province
    me = "/api/v1/me/notification-preferences"
    assert p.api("GET", me, "STP").json == {"mode": "immediate", "digest_hour": 8, "muted": [],
                                           "unmutable": ["escalation", "overdue"]}
    changed = p.api("PUT", me, "STP", json={"mode": "digest", "digest_hour": 16, "muted": ["reminder"]})
    assert changed.status_code == 200 and changed.json["mode"] == "digest"
    assert p.api("GET", me, "STP").json["muted"] == ["reminder"]
    refused = p.api("PUT", me, "STP", json={"muted": ["reminder", "overdue"]})
    assert refused.status_code == 422 and "overdue" in str(refused.json)
    assert p.api("PUT", me, "STP", json={"digest_hour": 24}).status_code == 422
    assert p.api("GET", me, "SXD").status_code == 403  # an agency's system token is nobody's


def test_administrators_see_who_has_no_address_and_what_they_missed(province):
    p = province
    flows.start(p.api, consulted=("STC",))
    p.drain()
    listed = p.api("GET", "/api/v1/notifications/unreachable-users", "VPUBND_admin")
    assert listed.status_code == 200
    assert [(u["username"], u["missed"]) for u in listed.json if u["agency"] == "STC"] == [("tv.stc", 1)]
    assert p.api("GET", "/api/v1/notifications/unreachable-users", "STC").status_code == 403
    sent = p.api("GET", "/api/v1/notifications?status=sent", "VPUBND_admin").json
    assert sent["total"] == len(p.smtp.mails) == 4  # cv/pho of STP (draft) and of STC (reply)
    assert all(n["subject"].startswith("[Đúng hạn] Nhiệm vụ mới") for n in sent["items"])

    # The administrator records the address, then sends the missed notification again.
    fixed = p.api("PATCH", f"/api/v1/users/{p.people['tv.stc']}", "VPUBND_admin",
                  json={"email": "tv.stc@dunghan.test"})
    assert fixed.status_code == 200 and fixed.json["email"] == "tv.stc@dunghan.test"
    assert p.api("GET", "/api/v1/notifications/unreachable-users", "VPUBND_admin").json == []
    [missed] = p.api("GET", "/api/v1/notifications?status=unreachable", "VPUBND_admin").json["items"]
    assert p.api("POST", f"/api/v1/notifications/{missed['id']}/resend", "VPUBND_admin").status_code == 202
    p.drain()
    assert p.mails()[("tv.stc", "assigned")] == 1
    assert p.api("POST", f"/api/v1/notifications/{missed['id']}/resend", "VPUBND_admin").status_code == 422


def test_every_kind_is_a_documented_webhook_event():
    from notifications.kinds import Kind
    from webhooks.catalog import EVENT_TYPES

    assert {f"notification.{k}" for k in Kind} <= set(EVENT_TYPES)


def test_a_chat_bridge_subscribed_to_notification_events_receives_the_same_words(province):
    p = province
    receiver = Receiver()
    receiver.start()
    try:
        created = p.api("POST", "/api/v1/webhooks", "SXD",
                        json={"url": receiver.url, "event_types": ["notification.*"]})
        assert created.status_code == 201, created.json
        receiver.secrets.append(created.json["secret"])
        flows.start(p.api, consulted=("SXD",))
        p.drain()
    finally:
        receiver.stop()
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert all(r.verified_with for r in receiver.requests)
    assert [b["type"] for b in bodies] == ["notification.assigned"]  # only SXD's own task
    detail = bodies[0]["data"]["detail"]
    assert sorted(r["username"] for r in detail["recipients"]) == ["cv.sxd", "pho.sxd"]
    assert detail["subject"] == [m.subject for m in p.smtp.mails if m.to.startswith("cv.sxd")][0]
    assert detail["text"].startswith("Cơ quan anh/chị vừa được giao nhiệm vụ «Trả lời ý kiến».")


def test_a_reply_returned_as_vague_is_told_to_the_lead_officer(province):
    p = province
    instance_id, _ = flows.start(p.api, consulted=("SXD",))
    assert flows.reply(p.api, "SXD", instance_id, "agree_with_amendments").status_code == 200
    p.drain()
    p.smtp.mails.clear()
    p.take()
    returned = p.api("POST", f"/api/v1/instances/{instance_id}/returns", "STP",
                     json={"agency": "SXD", "reason": "Ý kiến chưa nêu rõ nội dung cần sửa"})
    assert returned.status_code == 201
    p.drain()
    told = p.take()
    assert told[("cv.stp", "returned_vague")] == 1
    assert {kind for _, kind in told} == {"returned_vague", "assigned"}  # SXD's re-answer task


def test_a_person_deactivated_before_the_email_leaves_gets_none(province):
    p = province
    flows.start(p.api, consulted=("SXD",))
    p.worker("a").run_once()  # one batch: the fan-out runs; the mail jobs it queued wait
    with p.uow_factory() as uow:
        uow.directory.update_user(p.people["pho.sxd"], active=False)
        uow.commit()
    p.drain(kill=False)
    assert ("pho.sxd", "assigned") not in p.mails() and p.mails()[("cv.sxd", "assigned")] == 1


def test_a_signed_in_person_chooses_a_digest_on_the_web_page(app, uow_factory, clock):
    from tests.integration.test_sign_in import PASSWORD, csrf, sign_in

    directory.seed_user(uow_factory(), clock, "cv.sxd", "Người cv.sxd", "SXD", ["officer"], PASSWORD,
                        email="cv.sxd@dunghan.test")
    client = app.test_client()
    assert sign_in(client).status_code == 302
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "Nhận thư báo việc" in page and "Quá hạn (luôn gửi ngay, không tắt được)" in page
    token = csrf(client, "/thong-bao")
    saved = client.post("/thong-bao", data={"mode": "digest", "digest_hour": "16", "muted": ["reminder"],
                                            "csrf_token": token})
    assert saved.status_code == 200 and "Đã lưu" in saved.get_data(as_text=True)
    with uow_factory() as uow:
        [pref] = Preferences(uow.conn).of([uow.directory.user_by_username("cv.sxd")["id"]]).values()
    assert pref == Preference(DeliveryMode.DIGEST, 16, frozenset({"reminder"}))
    refused = client.post("/thong-bao", data={"mode": "digest", "digest_hour": "7", "muted": ["overdue"],
                                              "csrf_token": token})
    assert refused.status_code == 422 and "Không thể tắt" in refused.get_data(as_text=True)
    assert client.post("/thong-bao", data={"mode": "digest"}).status_code == 400  # no CSRF token
