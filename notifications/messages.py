"""Render notifications as Vietnamese emails with a plain-text and an HTML part.

Rendering is a pure function of the stored facts, so a retried email says exactly what the
first attempt said. HTML goes through Jinja with autoescaping: titles are user input.
"""

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from jinja2 import Environment

from notifications.kinds import LABELS, Kind

# Python folds long encoded headers by dropping a space now and then; an encoded subject of a few
# hundred characters is far within the 998 the standard allows, so do not fold at all.
_POLICY = policy.default.clone(max_line_length=998)
_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
PREFIX = "[Đúng hạn]"

_LEADS = {
    Kind.ASSIGNED: "Cơ quan anh/chị vừa được giao nhiệm vụ «{task_name}».",
    Kind.REMINDER: "Nhắc hạn: nhiệm vụ «{task_name}» sắp đến hạn ({timing}).",
    Kind.OVERDUE: "Nhiệm vụ «{task_name}» của {agency_name} đã QUÁ HẠN mà chưa hoàn thành.",
    Kind.ESCALATION: ("Nhiệm vụ «{task_name}» của {agency_name} {timing} và đã được đưa vào "
                      "danh sách theo dõi quá hạn của Văn phòng UBND tỉnh."),
    Kind.REPLY_RECEIVED: "{agency_name} đã gửi ý kiến trả lời cho «{title}».",
    Kind.DEEMED_AGREED: ("{agency_name} không trả lời đúng hạn nên được coi là đồng ý với «{title}»; "
                         "vi phạm đã được ghi nhận."),
    Kind.RETURNED_VAGUE: "Ý kiến của {agency_name} về «{title}» bị trả lại vì chưa rõ quan điểm.",
    Kind.UNCLAIMED: ("Nhiệm vụ «{task_name}» của {agency_name} đã mở một thời gian mà chưa cán bộ "
                     "nào nhận xử lý; đề nghị lãnh đạo phân công."),
}

_SUBJECTS = {
    Kind.ASSIGNED: "Nhiệm vụ mới: {task_name} – {title}{due_part}",
    Kind.REMINDER: "Nhắc hạn: {task_name} – {title} ({timing})",
    Kind.OVERDUE: "QUÁ HẠN: {task_name} – {title} ({agency_name})",
    Kind.ESCALATION: "Báo cáo quá hạn: {agency_name} – {task_name} – {title} ({timing})",
    Kind.REPLY_RECEIVED: "{agency_name} đã trả lời: {title}",
    Kind.DEEMED_AGREED: "{agency_name} được coi là đồng ý: {title}",
    Kind.RETURNED_VAGUE: "Ý kiến chưa rõ bị trả lại: {agency_name} – {title}",
    Kind.UNCLAIMED: "Chưa có người nhận: {task_name} – {title} ({agency_name})",
}

POSITIONS = {"agree": "Đồng ý", "agree_with_amendments": "Đồng ý có ý kiến",
             "disagree": "Không đồng ý", "deemed_agree": "Coi như đồng ý"}

_PAGE = _ENV.from_string("""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family:Arial,sans-serif;color:#222;max-width:640px">
<p>Kính gửi {{ name }},</p>
{% for item in items %}
{% if items|length > 1 %}<h3 style="margin:16px 0 4px">{{ loop.index }}. {{ item.label }}</h3>{% endif %}
<p style="margin:0 0 8px">{{ item.lead }}</p>
<table style="border-collapse:collapse;font-size:14px">
{% for label, value in item.rows %}
  <tr><th style="text-align:left;padding:2px 12px 2px 0;color:#555">{{ label }}</th>
      <td style="padding:2px 0">{{ value }}</td></tr>
{% endfor %}
</table>
<p><a href="{{ item.link }}" style="color:#0b57d0">Mở nhiệm vụ</a></p>
{% endfor %}
<hr><p style="font-size:12px;color:#777">{{ footer }}</p>
</body></html>
""")


def subject(facts: dict) -> str:
    """Return the subject line of one notification."""
    return f"{PREFIX} {_SUBJECTS[Kind(facts['kind'])].format(**_filled(facts))}"


def lead(facts: dict) -> str:
    """Return the sentence that says what happened."""
    return _LEADS[Kind(facts["kind"])].format(**_filled(facts))


def rows(facts: dict) -> list[tuple[str, str]]:
    """Return the labelled facts: task, instance, requesting agency, due instant, time left."""
    listed = [("Nhiệm vụ", facts["task_name"]), ("Hồ sơ / văn bản", facts["title"]),
              ("Cơ quan đề nghị", facts["lead_agency_name"]), ("Cơ quan thực hiện", facts["agency_name"])]
    if facts.get("position"):
        listed.append(("Ý kiến", POSITIONS.get(facts["position"], facts["position"])))
    if facts.get("due_local"):
        listed += [("Hạn", f"{facts['due_local']} (giờ Việt Nam)"), ("Tình trạng", facts["timing"])]
    return listed


def text_of(facts: dict) -> str:
    """Return one notification as plain text."""
    lines = [lead(facts), ""] + [f"{label}: {value}" for label, value in rows(facts)]
    return "\n".join([*lines, f"Mở nhiệm vụ: {facts['link']}"])


def compose(to: tuple[str, str], sender: str, message_id: str, items: list[dict], footer: str,
            at: datetime, digest_title: str | None = None) -> EmailMessage:
    """Build one email telling one person of one notification, or of several as a digest."""
    name, address = to
    title = digest_title or subject(items[0])
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = title
    message["From"] = sender
    message["To"] = formataddr((name, address))
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message["X-Dunghan-Kind"] = "digest" if digest_title else items[0]["kind"]  # for mail filters
    texts = [text_of(f) if len(items) == 1 else f"{n}. {_label(f)}\n{text_of(f)}"
             for n, f in enumerate(items, 1)]
    message.set_content("\n\n".join([f"Kính gửi {name},", *texts, "-- ", footer]) + "\n",
                        cte="quoted-printable")
    html_items = [{"label": _label(f), "lead": lead(f), "rows": rows(f), "link": f["link"]}
                  for f in items]
    message.add_alternative(_PAGE.render(subject=title, name=name, items=html_items, footer=footer),
                            subtype="html", cte="quoted-printable")
    return message


def _label(facts: dict) -> str:
    return f"{LABELS[Kind(facts['kind'])]}: {facts['task_name']} – {facts['title']}"


def _filled(facts: dict) -> dict:
    due = facts.get("due_local")
    return {**facts, "due_local": due or "không có hạn", "due_part": f" (hạn {due})" if due else ""}
