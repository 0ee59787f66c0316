"""Hold what the views need from the composition root: units of work and the clock."""

from dataclasses import dataclass

from flask import current_app

from engine.clock import Clock
from engine.rules import Rules
from engine.store.uow import UnitOfWorkFactory


@dataclass
class Runtime:
    uow: UnitOfWorkFactory
    clock: Clock
    rules: Rules


def runtime() -> Runtime:
    """Return the running app's runtime."""
    return current_app.extensions["dunghan"]
