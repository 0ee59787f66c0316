"""Draw the report's charts with matplotlib, as SVG text to embed in the PDF's HTML."""

from io import StringIO

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot
from matplotlib import pyplot  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "path"})


def _svg(figure: Figure) -> str:
    buffer = StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()


def score_chart(ranking_rows: list[dict]) -> str | None:
    """Draw each ranked agency's score as a horizontal bar, best at the top."""
    ranked = [r for r in ranking_rows if r["score"] is not None]
    if not ranked:
        return None
    figure, axes = pyplot.subplots(figsize=(6.5, 0.3 * len(ranked) + 0.8))
    axes.barh([r["agency"] for r in ranked][::-1], [r["score"] for r in ranked][::-1], color="#1f4e79")
    axes.set_xlabel("Điểm kỷ luật hành chính")
    axes.axvline(0, color="black", linewidth=0.5)
    return _svg(figure)


def simplification_chart(process_id: str, rows: list[dict]) -> str | None:
    """Draw, per step of one procedure, the median working time against the 20% cut target."""
    steps = [r for r in rows if r["process_id"] == process_id and r["median_hours"] is not None]
    if not steps:
        return None
    labels = [f"{r['name']} ({r['agency']})" if "agency" in r else r["name"] for r in steps]
    figure, axes = pyplot.subplots(figsize=(6.5, 0.45 * len(steps) + 0.9))
    positions = range(len(steps))
    axes.barh([p + 0.2 for p in positions], [r["median_hours"] for r in steps], height=0.4,
              label="Trung vị hiện nay", color="#9e2a2b")
    axes.barh([p - 0.2 for p in positions], [r["target_hours"] for r in steps], height=0.4,
              label="Mục tiêu sau cắt giảm", color="#2e7d32")
    axes.set_yticks(list(positions), labels)
    axes.set_xlabel("Giờ làm việc")
    axes.legend(loc="lower right")
    return _svg(figure)
