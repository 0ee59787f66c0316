"""Tell a reply that gives reasons from one that only repeats stock phrases of agreement."""

import re
import unicodedata

MIN_REASON_WORDS = 4
# Stock phrases that say nothing; a reply made only of them is vague.
_STOCK_PHRASES = sorted(
    [
        "không có ý kiến khác", "không có ý kiến", "cơ bản", "nhất trí", "thống nhất",
        "đồng ý", "hoàn toàn", "với", "nội dung", "dự thảo", "như", "theo", "đề án", "văn bản",
        "của", "cơ quan", "chủ trì", "ý kiến", "tham gia", "không", "có", "gì", "thêm", "khác",
    ],
    key=len,
    reverse=True,
)


def is_vague(reasons: str) -> bool:
    """Tell whether reasons say nothing beyond stock phrases of agreement."""
    text = unicodedata.normalize("NFC", reasons).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    for phrase in _STOCK_PHRASES:
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    return len(text.split()) < MIN_REASON_WORDS
