"""Measure the vagueness rule on a labelled set of replies, against the figures the README states.

tests/data/replies.tsv holds replies labelled by hand: ``clear`` says what it is about and why,
``vague`` does not. "Positive" is a refusal: precision is the share of refused replies that were
vague, recall the share of vague replies refused.
"""

from pathlib import Path

import pytest

from engine.forms.keywords import LACKS_WHAT, LACKS_WHY, substantive
from engine.forms.substance import WHAT, WHY, is_vague, missing

DATA = Path(__file__).parents[1] / "data" / "replies.tsv"
# The figures the README states ("The vagueness rule"); measured on 71 replies: precision 32/33 = 0.97,
# recall 32/35 = 0.91, clear replies refused 1/36 = 2.8%.
MIN_PRECISION = 0.95
MIN_RECALL = 0.90
MAX_CLEAR_REFUSED = 0.05


def labelled() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in DATA.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(label, text) for label, text in rows]


def test_the_labelled_set_is_large_and_mixed():
    rows = labelled()
    labels = [label for label, _ in rows]
    assert len(rows) >= 60 and set(labels) == {"clear", "vague"}
    assert min(labels.count("clear"), labels.count("vague")) >= 25
    unaccented = [text for _, text in rows if text.isascii()]
    assert len(unaccented) >= 10, "replies typed without diacritics must be in the set"


def test_the_rule_meets_the_precision_and_recall_stated_in_the_readme():
    rows = labelled()
    refused = [(label, text) for label, text in rows if is_vague(text)]
    vague = [text for label, text in rows if label == "vague"]
    clear = [text for label, text in rows if label == "clear"]
    true_refusals = sum(1 for label, _ in refused if label == "vague")

    precision = true_refusals / len(refused)
    recall = true_refusals / len(vague)
    clear_refused = sum(1 for text in clear if is_vague(text)) / len(clear)

    assert precision >= MIN_PRECISION, f"precision {precision:.2f}"
    assert recall >= MIN_RECALL, f"recall {recall:.2f}"
    assert clear_refused < MAX_CLEAR_REFUSED, f"{clear_refused:.1%} of clear replies refused"


@pytest.mark.parametrize("text", ["Đề nghị cơ quan chủ trì nghiên cứu thêm",
                                  "Không đồng ý vì chưa phù hợp quy định"])
def test_the_two_replies_once_accepted_are_now_refused(text):
    assert is_vague(text)


@pytest.mark.parametrize(("text", "lacks"), [
    ("Đề nghị cơ quan chủ trì nghiên cứu thêm", (WHAT, WHY)),
    ("Không đồng ý vì trái Luật Đường bộ năm 2024 về hành lang an toàn", ()),
    ("Đề nghị sửa khoản 2 Điều 3", (WHY,)),
    ("Không đồng ý vì dự thảo giao việc cho Sở Y tế không có chuyên môn", (WHAT,)),
    ("Đề nghị bỏ Điều 8 vì chưa phù hợp với quy định hiện hành", (WHY,)),
    ('Đề nghị thay "chặt hạ" bằng "dịch chuyển" nhằm bảo tồn cây cổ thụ', ()),
    ("De nghi bo diem c khoan 1 Dieu 7 do trung voi Nghi dinh 123/2024/ND-CP", ()),
])
def test_the_rule_says_which_half_is_missing(text, lacks):
    assert missing(text) == lacks


@pytest.mark.parametrize(("text", "fragment"), [
    ("Sửa khoản 2 Điều 3", "lý do hoặc căn cứ pháp lý"),
    ("Không đồng ý vì dự thảo giao việc cho Sở Y tế", "nêu rõ điều, khoản hoặc nội dung cụ thể"),
])
def test_the_refusal_explains_what_to_add(text, fragment):
    message = substantive(True, text, None)

    assert message.startswith("Ý kiến chưa rõ") and fragment in message


def test_the_refusal_names_both_halves_when_both_are_missing():
    message = substantive(True, "Đề nghị nghiên cứu thêm", None)

    assert LACKS_WHAT in message and LACKS_WHY in message
