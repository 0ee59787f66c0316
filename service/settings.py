"""Read the service's configuration from the environment, with safe local defaults."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def var_dir() -> Path:
    """Return the folder for local state: the embedded database and the demo tokens."""
    return Path(os.environ.get("DUNGHAN_VAR_DIR", ROOT / "var"))


def from_environment() -> dict:
    """Return the configuration keys create_app understands, taken from DUNGHAN_* variables."""
    return {
        "DATABASE_URL": os.environ.get("DUNGHAN_DATABASE_URL", f"sqlite:///{var_dir() / 'dunghan.db'}"),
        "PROCESSES_DIR": Path(os.environ.get("DUNGHAN_PROCESSES_DIR", ROOT / "processes")),
        "PUBLIC_URL": os.environ.get("DUNGHAN_PUBLIC_URL", "http://127.0.0.1:8000"),
        "CALENDAR_FILE": os.environ.get("DUNGHAN_CALENDAR_FILE") or None,
        "LADDER_FILE": os.environ.get("DUNGHAN_LADDER_FILE") or None,
    }
