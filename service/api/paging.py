"""Turn a list request's ``page`` and ``per_page`` into a window, and a result into a page."""


def window(q: dict) -> dict:
    """Return the ``limit`` and ``offset`` a store query takes for the requested page."""
    return {"limit": q["per_page"], "offset": (q["page"] - 1) * q["per_page"]}


def page(q: dict, items: list, total: int) -> dict:
    """Return the page envelope every list operation answers with."""
    return {"items": items, "page": q["page"], "per_page": q["per_page"], "total": total}
