"""Tell a clear reply from a vague one: a clear reply says what it is about and why.

WHAT is a reference a reader can find in the draft: an article, clause, point, chapter,
section or appendix ("Điều 9", "khoản 2", "điểm a", "mục II"), any figure ("50 triệu đồng",
"30 ngày") or a quoted phrase. WHY is a reason or a legal basis introduced by a linking word
("vì", "do", "bởi", "nhằm", "để", "căn cứ", "theo quy định tại", "trái với", "vi phạm"...)
and followed by at least two words of substance: "vì chưa phù hợp quy định" names no reason.

Replies are typed with and without diacritics, so the rule reads a folded copy (no marks,
"đ" as "d"); the words that fold onto a marker ("đề nghị", "đơn vị", "mức độ") are excluded
by their neighbours.
"""

import re
import unicodedata

WHAT = "what"
WHY = "why"

_REFERENCE = re.compile(
    r"\b(dieu|khoan|diem|chuong|muc|phan|phu luc|tiet|bang|mau so|bieu mau)\s+"
    r"(\d+|[ivxlc]+\b|[a-z]\b)"
    r"|\d"
)
_QUOTED = re.compile(r"[\"“”«»‘’'][^\"“”«»‘’']{3,}[\"“”«»‘’']")
_MARKERS = re.compile(
    r"\b("
    r"boi vi|tai vi|vi vay|vi the|do do|boi|nham|can cu|ly do|dan den|vi pham|mau thuan|chong cheo"
    r"|trai (voi|luat|quy dinh|nghi dinh|thong tu|hien phap|dieu)"
    r"|theo (quy dinh|luat|nghi dinh|thong tu|quyet dinh|chi thi|dieu|khoan|huong dan|ket qua"
    r"|so lieu|bao cao|thuc te)"
    r"|(?<!pham )(?<!don )(?<!hanh )(?<!dia )vi(?! (du(?! thao)|tri|mo|sao)\b)"
    r"|(?<!muc )(?<!tu )(?<!che )(?<!nong )(?<!nhiet )(?<!toc )(?<!trinh )(?<!thai )(?<!mat )"
    r"do(?! (thi|dac|luong|dang)\b)"
    r"|(?<!van )(?<!chu )(?<!tieu )de(?! (nghi|xuat|an|cap|ra|muc|tai|dang|hieu|dat|trinh)\b)"
    r")\b"
)
# Words that carry no reason of their own: "vì chưa phù hợp với quy định hiện hành" says nothing.
_GENERIC = frozenset({
    "chua", "khong", "phu", "hop", "quy", "dinh", "hien", "hanh", "ly", "thuc", "te", "can", "them",
    "nghien", "cuu", "xem", "xet", "lai", "noi", "dung", "du", "thao", "van", "ban", "voi", "cac",
    "cua", "la", "va", "nay", "do", "de", "o", "thi", "con", "nhieu", "it", "mot", "nhu", "tren",
    "trong", "chung", "dam", "bao", "yeu", "cau", "tinh", "kha", "sai", "hoan", "chinh",
    "ro", "rang", "cu", "the", "dieu", "bo", "sung", "sua", "doi", "co", "duoc", "hon",
    "nua", "cho", "tot", "nhat", "vay", "tai", "vi", "boi", "nham", "theo",
    "khoan", "diem", "chuong", "muc", "phan",
})
_MIN_REASON_WORDS = 2


def fold(text: str) -> str:
    """Lower-case the text and strip its diacritics, keeping words and spaces only."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def missing(reasons: str) -> tuple[str, ...]:
    """Return what a reply lacks: WHAT, WHY, both or nothing."""
    folded = fold(reasons)
    lacks = []
    if not (_REFERENCE.search(folded) or _QUOTED.search(unicodedata.normalize("NFC", reasons))):
        lacks.append(WHAT)
    if not any(_substance(folded[m.end():]) >= _MIN_REASON_WORDS for m in _MARKERS.finditer(folded)):
        lacks.append(WHY)
    return tuple(lacks)


def is_vague(reasons: str) -> bool:
    """Tell whether a reply fails to say what it is about or why."""
    return bool(missing(reasons))


def _substance(reason: str) -> int:
    return sum(1 for word in reason.split() if word not in _GENERIC and len(word) > 1 and not word.isdigit())
