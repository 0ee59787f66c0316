"""What the one-stop documents say: the forms of Circular 01/2018/TT-VPCP and their verdicts.

Form 01 is the receipt with the return time, 02 the supplement request, 03 the refusal,
04 the apology with a new date, 05 the control sheet that follows every hand-off. Each hand-off
on form 05 is judged early, on time or late against its own due instant.
"""

import enum
from datetime import datetime, tzinfo


class Form(enum.StrEnum):
    """The forms a dossier prints; values are the numbers printed in the corner of each."""

    RECEIPT = "01"
    SUPPLEMENT = "02"
    REFUSAL = "03"
    APOLOGY = "04"
    CONTROL_SHEET = "05"


TITLES = {
    Form.RECEIPT: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    Form.SUPPLEMENT: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    Form.REFUSAL: "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    Form.APOLOGY: "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    Form.CONTROL_SHEET: "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}


# The outgoing forms take a number from the issuing agency's series; the symbol's middle part
# abbreviates the form's name (Phiếu yêu cầu Bổ sung, Phiếu Từ Chối, Phiếu Xin Lỗi). The receipt
# and the control sheet carry the dossier's code instead.
NUMBERED = {Form.SUPPLEMENT: "PBS", Form.REFUSAL: "PTC", Form.APOLOGY: "PXL"}


class HandoffVerdict(enum.StrEnum):
    """How a hand-off kept its due instant, as form 05 words it."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"

    @property
    def label(self) -> str:
        """Return the words form 05 prints."""
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn",
                "open": "Đang xử lý"}[self]


def handoff_verdict(completed_at: datetime | None, due_at: datetime | None,
                    tz: tzinfo) -> HandoffVerdict:
    """Judge one hand-off: late after its due instant, early when done on an earlier local day.

    A step done on its due day is on time: the control sheet counts days, as the desk does.
    A step without a due instant (the desk's own return) is on time once done.
    """
    if completed_at is None:
        return HandoffVerdict.OPEN
    if due_at is None:
        return HandoffVerdict.ON_TIME
    if completed_at > due_at:
        return HandoffVerdict.LATE
    if completed_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return HandoffVerdict.EARLY
    return HandoffVerdict.ON_TIME
