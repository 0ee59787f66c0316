"""Score and rank agencies by a weighted sum of indicators read from config/scoring.toml.

The weights are data: a province changes them without touching code. Each report states the
weights it used, and which indicators had no data (left out rather than counted as zero).
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.shipped import shipped

DEFAULT_FILE = shipped("config/scoring.toml")


def _rate(numerator: str, denominator: str, section: str):
    def indicator(row: dict) -> float | None:
        figures = row.get(section)
        if not isinstance(figures, dict) or not figures.get(denominator):
            return None
        return figures[numerator] / figures[denominator]
    return indicator


def _count(field: str, section: str):
    def indicator(row: dict) -> float | None:
        figures = row.get(section)
        return float(figures.get(field, 0)) if isinstance(figures, dict) else None
    return indicator


# Each indicator reads one agency row of the discipline report; None means "no data".
INDICATORS = {
    "reply_on_time_rate": _rate("on_time", "replies_closed", "consultations"),
    "deemed_consent_rate": _rate("deemed_consent", "replies_closed", "consultations"),
    "work_on_time_rate": _rate("closed_on_time", "closed", "work"),
    "dossier_on_time_rate": _rate("on_time_766", "in_period", "dossiers"),
    "overdue": _count("overdue", "violations"),
    "escalated": _count("escalated", "violations"),
    "late_completion": _count("late_completion", "violations"),
    "vague_reply": _count("vague_reply", "violations"),
    "overdue_open_at_end": _count("overdue_open_at_end", "work"),
}


@dataclass(frozen=True)
class Scoring:
    """The weights per indicator and the simplification target for bottlenecks."""

    weights: dict[str, float]
    simplification_target: float = 0.2

    @classmethod
    def from_file(cls, path: Path | str | None = None) -> "Scoring":
        """Read a scoring file; an unknown indicator is refused with its name."""
        data = tomllib.loads(Path(path or DEFAULT_FILE).read_text(encoding="utf-8"))
        weights = {k: float(v) for k, v in data.get("weights", {}).items()}
        unknown = sorted(set(weights) - set(INDICATORS))
        if unknown:
            raise ValueError(f"unknown scoring indicators: {', '.join(unknown)}")
        target = float(data.get("bottlenecks", {}).get("simplification_target", 0.2))
        return cls(weights, target)

    def indicators(self, row: dict) -> dict[str, float | None]:
        return {name: INDICATORS[name](row) for name in self.weights}

    def score(self, row: dict) -> float | None:
        """Return Σ weight × indicator over the indicators with data; None without activity."""
        if not row.get("active"):
            return None
        values = self.indicators(row)
        return round(sum(self.weights[k] * v for k, v in values.items() if v is not None), 2)

    def describe(self) -> dict:
        return {"formula": "Σ trọng số × chỉ số (chỉ các chỉ số có dữ liệu)",
                "weights": dict(self.weights)}


def rank(scores: dict[str, float | None]) -> dict[str, int | None]:
    """Rank agencies by score, highest first; ties share a rank (1, 2, 2, 4); no score, no rank."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    return {code: (ordered.index(s) + 1 if s is not None else None) for code, s in scores.items()}
