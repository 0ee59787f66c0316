"""What a feedback item's sender reads: one Vietnamese email per thing that became of it."""

from datetime import datetime, timedelta, timezone

import pytest

from notifications.senders import SUBJECTS, compose

VN = timezone(timedelta(hours=7))
AT = datetime(2026, 2, 12, 9, 0, tzinfo=VN)
BASE = {"instance_id": "i", "to": "dan@example.vn", "name": "Nguyễn Thị Dân",
        "title": "Đèn đường hỏng", "agency_name": "Ủy ban nhân dân phường Kinh Bắc",
        "reasons": "", "answer": "", "published_where": "", "due_at": None}


def text(**payload) -> tuple[str, str]:
    message = compose({**BASE, **payload}, "Đúng hạn <khong-tra-loi@dunghan.test>", "<m@dunghan.test>",
                      "Thư tự động.", AT)
    return message["Subject"], message.get_content()


def test_a_supplement_request_names_the_local_due_instant_and_what_is_missing():
    subject, body = text(what="supplement_requested", reasons="Nêu rõ vị trí cột đèn",
                         due_at="2026-02-26T10:00:00+00:00")
    assert subject == "[Đúng hạn] Đề nghị bổ sung nội dung phản ánh, kiến nghị: Đèn đường hỏng"
    assert "trước 17:00 26/02/2026 (giờ Việt Nam): Nêu rõ vị trí cột đèn" in body
    assert body.startswith("Kính gửi Nguyễn Thị Dân,")


def test_a_refusal_gives_the_reasons_and_an_answer_where_it_was_published():
    assert "Lý do: Đã trả lời tại văn bản số 12/UBND" in text(
        what="refused", reasons="Đã trả lời tại văn bản số 12/UBND")[1]
    body = text(what="published", answer="Đã thay bóng đèn cột số 7.",
                published_where="Cổng thông tin điện tử phường")[1]
    assert "Kết quả: Đã thay bóng đèn cột số 7." in body and "Cổng thông tin điện tử phường" in body


@pytest.mark.parametrize("what", sorted(SUBJECTS))
def test_every_occasion_has_a_subject_and_a_body(what):
    subject, body = text(what=what, to_agency_name="Sở Xây dựng", reasons="Vì lý do cụ thể")
    assert subject.startswith("[Đúng hạn] ") and "«Đèn đường hỏng»" in body
