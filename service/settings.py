"""Read the service's configuration from the environment, with safe local defaults."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def from_environment() -> dict:
    """Return the configuration keys create_app understands, taken from DUNGHAN_* variables."""
    return {
        "DATABASE_URL": os.environ.get(
            "DUNGHAN_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'dunghan.db'}"
        ),
        "PROCESSES_DIR": Path(os.environ.get("DUNGHAN_PROCESSES_DIR", ROOT / "processes")),
        "PUBLIC_URL": os.environ.get("DUNGHAN_PUBLIC_URL", "http://127.0.0.1:8000"),
    }
