"""Keep recently saved workflows in memory, so the next step on an instance skips its restore.

An entry is keyed by instance id and the version its state was committed as. A unit of work
reads the instance row first and takes the entry only if the row still carries that version:
the compare-and-set counter proves the cached workflow is exactly the stored state, whichever
process wrote it. Another process's save bumps the version, so a stale entry is never used; a
race between the read and the save is refused by the compare-and-set like any other.
"""

import threading
from collections import OrderedDict

DEFAULT_SIZE = 128  # a consultation workflow takes about 75 KiB: at most ~10 MB a process


class HotInstances:
    """A small, thread-safe LRU of restored workflows by (instance id, committed version)."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self._entries: OrderedDict[str, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def take(self, instance_id: str, version: int):
        """Remove and return the workflow committed as this version, or None.

        Taking rather than reading: the caller mutates the workflow, and a step that fails or
        loses its compare-and-set must leave nothing behind that differs from the database.
        """
        with self._lock:
            entry = self._entries.pop(instance_id, None)
            if entry is not None and entry[0] == version:
                self.hits += 1
                return entry[1]
            self.misses += 1
            return None

    def keep(self, instance_id: str, version: int, workflow) -> None:
        """Remember a workflow once its state is committed as this version."""
        with self._lock:
            self._entries[instance_id] = (version, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
