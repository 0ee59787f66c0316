"""Lay the report's sections out as titled tables: the one layout XLSX, CSV and PDF all render.

Each column names its field, its Vietnamese heading and its kind, so every format shows the
same figures with the same number format (counts, percentages, scores, working hours).
"""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    RATE = "rate"
    SCORE = "score"
    HOURS = "hours"


@dataclass(frozen=True)
class Column:
    field: str
    heading: str
    kind: Kind = Kind.COUNT


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict]


INDICATORS = {
    "reply_on_time_rate": ("Tỷ lệ trả lời đúng hạn", Kind.RATE),
    "deemed_consent_rate": ("Tỷ lệ coi như đồng ý", Kind.RATE),
    "work_on_time_rate": ("Tỷ lệ việc đúng hạn", Kind.RATE),
    "dossier_on_time_rate": ("Tỷ lệ hồ sơ đúng hạn (766)", Kind.RATE),
    "overdue": ("Lần quá hạn", Kind.COUNT),
    "escalated": ("Lần bị báo cáo lên", Kind.COUNT),
    "late_completion": ("Lần hoàn thành trễ", Kind.COUNT),
    "vague_reply": ("Lần ý kiến bị trả lại vì chưa rõ", Kind.COUNT),
    "overdue_open_at_end": ("Việc tồn quá hạn cuối kỳ", Kind.COUNT),
}
AGENCY = (Column("agency", "Mã", Kind.TEXT), Column("name", "Cơ quan", Kind.TEXT))
ABSENT_TITLES = {"feedback": "Phản ánh, kiến nghị"}
NOT_YET_TITLES: dict[str, str] = {}


def _ranking(report: dict) -> Table:
    section = report["sections"]["ranking"]
    weights = section["scoring"]["weights"]
    rows = [{**r, **{f"i_{k}": v for k, v in r["indicators"].items()}} for r in section["rows"]]
    indicator_columns = tuple(Column(f"i_{k}", INDICATORS[k][0], INDICATORS[k][1]) for k in weights)
    return Table("ranking", "Xếp hạng cơ quan", (
        Column("rank", "Hạng"), *AGENCY, Column("score", "Điểm", Kind.SCORE),
        Column("previous_score", "Điểm tháng trước", Kind.SCORE),
        Column("score_change", "Tăng/giảm", Kind.SCORE),
        Column("ytd_score", "Điểm lũy kế năm", Kind.SCORE), Column("ytd_rank", "Hạng lũy kế"),
        *indicator_columns), rows)


def tables(report: dict) -> list[Table]:
    """Return the report's sections as tables, in reading order."""
    s = report["sections"]
    officers = [{**p, "by_agency_text": "; ".join(f"{a}: {n}" for a, n in p["by_agency"].items())}
                for p in s["people"]["officers"]]
    return [
        _ranking(report),
        Table("consultations", "Lấy ý kiến phối hợp", (
            *AGENCY, Column("replies_closed", "Ý kiến đã trả lời"), Column("on_time", "Đúng hạn"),
            Column("late", "Trễ hạn"), Column("deemed_consent", "Coi như đồng ý"),
            Column("overdue_open_at_end", "Quá hạn chưa trả lời cuối kỳ"),
            Column("returned_vague", "Bị trả lại vì chưa rõ"),
            Column("requests_sent", "Yêu cầu đã gửi"), Column("agencies_consulted", "Lượt cơ quan được hỏi"),
            Column("agencies_per_request", "Cơ quan / yêu cầu", Kind.SCORE),
            Column("flagged_over_broad", "Bị đánh dấu hỏi quá rộng"),
            Column("over_broad_share", "Tỷ lệ hỏi quá rộng", Kind.RATE),
            Column("pauses_requested", "Đề nghị tạm dừng"), Column("pauses_approved", "Tạm dừng được duyệt"),
            Column("more_time_requested", "Xin thêm thời gian"),
            Column("more_time_approved", "Thêm thời gian được duyệt")), s["consultations"]["rows"]),
        Table("dossiers", "Hồ sơ TTHC – Quyết định 766", (
            *AGENCY, Column("received", "Tiếp nhận"), Column("finished", "Đã giải quyết"),
            Column("finished_on_time", "Đúng hạn"), Column("finished_late", "Trễ hạn"),
            Column("in_time_at_end", "Đang trong hạn"), Column("overdue_at_end", "Đang quá hạn"),
            Column("in_period", "Hồ sơ trong kỳ"), Column("on_time_rate", "Tỷ lệ đúng hạn", Kind.RATE),
            Column("progress_766", "Điểm tiến độ (20 × tỷ lệ)", Kind.SCORE),
            Column("apologies", "Phiếu xin lỗi"), Column("refused", "Từ chối"),
            Column("supplements_over_one", "Bổ sung quá 1 lần")), s["dossiers"]["rows"]),
        Table("procedures", "Thời gian theo thủ tục", (
            Column("agency", "Cơ quan", Kind.TEXT), Column("procedure_code", "Mã thủ tục", Kind.TEXT),
            Column("finished", "Đã giải quyết"),
            Column("average_working_days", "Bình quân (ngày làm việc)", Kind.SCORE)),
            s["dossiers"]["procedures"]),
        Table("work", "Công việc (mọi quy trình)", (
            *AGENCY, Column("received", "Tiếp nhận"), Column("closed", "Hoàn thành"),
            Column("closed_on_time", "Đúng hạn"), Column("closed_late", "Trễ hạn"),
            Column("open_at_end", "Tồn cuối kỳ"), Column("overdue_open_at_end", "Tồn quá hạn")),
            s["work"]["rows"]),
        Table("assigned_tasks", "Nhiệm vụ được giao", (
            *AGENCY, Column("assigned", "Được giao trong kỳ"), Column("completed", "Hoàn thành"),
            Column("completed_late", "Hoàn thành trễ hạn"), Column("open_at_end", "Đang thực hiện cuối kỳ"),
            Column("overdue_at_end", "Quá hạn cuối kỳ (nợ đọng)")), s["assigned_tasks"]["rows"]),
        Table("violations", "Vi phạm ghi nhận", (
            *AGENCY, Column("overdue", "Quá hạn"), Column("escalated", "Báo cáo lên"),
            Column("deemed_consent", "Coi như đồng ý"), Column("late_completion", "Hoàn thành trễ"),
            Column("vague_reply", "Ý kiến chưa rõ"), Column("total", "Tổng")), s["violations"]["rows"]),
        Table("officers", "Cán bộ có nhiều vi phạm", (
            Column("username", "Tài khoản", Kind.TEXT), Column("full_name", "Họ tên", Kind.TEXT),
            Column("current_agency", "Cơ quan hiện tại", Kind.TEXT), Column("violations", "Vi phạm"),
            Column("by_agency_text", "Theo cơ quan", Kind.TEXT)), officers),
        Table("heads", "Vi phạm chưa giao cho cán bộ (trách nhiệm thủ trưởng)", (
            Column("agency", "Mã", Kind.TEXT), Column("head_name", "Thủ trưởng", Kind.TEXT),
            Column("unassigned_violations", "Vi phạm")), s["people"]["heads"]),
        Table("bottlenecks", "Điểm nghẽn theo bước xử lý", (
            Column("process_id", "Quy trình", Kind.TEXT), Column("name", "Bước", Kind.TEXT),
            Column("agency", "Cơ quan", Kind.TEXT), Column("completed", "Đã xong"),
            Column("median_hours", "Trung vị (giờ)", Kind.HOURS),
            Column("p90_hours", "P90 (giờ)", Kind.HOURS),
            Column("target_hours", "Mục tiêu (giờ)", Kind.HOURS), Column("repeats", "Làm lại"),
            Column("waiting_at_end", "Đang chờ"),
            Column("longest_wait_hours", "Chờ lâu nhất (giờ)", Kind.HOURS)),
            s["bottlenecks"]["rows"]),
        Table("not_recorded", "Chưa ghi nhận được", (
            Column("item", "Nội dung", Kind.TEXT), Column("reason", "Lý do", Kind.TEXT)), absent(report)),
    ]


def absent(report: dict) -> list[dict]:
    """List what the report cannot show yet, and why: never a zero in its place."""
    s = report["sections"]
    rows = [{"item": title, "reason": s[name]["reason"]} for name, title in ABSENT_TITLES.items()
            if s[name].get("status") == "not_yet_recorded"]
    rows += [{"item": NOT_YET_TITLES.get(k, k), "reason": v}
             for k, v in s["consultations"].get("not_yet_recorded", {}).items()]
    return rows


def vietnamese_number(value, kind: Kind) -> str:
    """Format a figure as Vietnamese documents do: 1.234,5 and 87,5%; empty for no data."""
    if value is None:
        return "–"
    if kind == Kind.TEXT:
        return str(value)
    if kind == Kind.RATE:
        text = f"{value * 100:,.1f}%"
    elif kind in (Kind.SCORE, Kind.HOURS):
        text = f"{value:,.2f}" if kind == Kind.SCORE else f"{value:,.1f}"
    else:
        text = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
