"""Find the files a release ships beside its code: the default config/ and the processes/ library.

In a checkout (``make install`` is editable) they are the repository's own folders. A plain
``pip install`` puts them under the environment's data folder, ``share/dunghan/``.
"""

import sysconfig
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def is_checkout() -> bool:
    """Tell whether the code runs from the repository rather than from an installed wheel."""
    return (CHECKOUT / "pyproject.toml").is_file()


def shipped(relative: str) -> Path:
    """Return a shipped file or folder, e.g. ``shipped("config/escalation.toml")``."""
    if is_checkout():
        return CHECKOUT / relative
    return Path(sysconfig.get_path("data")) / "share" / "dunghan" / relative
