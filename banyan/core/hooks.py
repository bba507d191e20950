"""Hooks: the one way an app lets the apps above it take part in what it does.

An app low in the dependency order (core ← accounts ← customers ← the rest) must not import the
apps that build on it, yet some of its actions concern them: a customer's transfer carries the
customer's open opportunities along, a deactivated user's records go to a successor, a confirmed
inbound slip marks its purchase order received. The low app declares a `Hook`; the higher apps
register their functions into it when Django loads them (from their `AppConfig.ready`, or a
module that `ready` imports); the low app calls `hook.run(...)` where the moment comes.

    TRANSFER_HOOKS = Hook("customer transferred", "customer, from_owner, to_owner")

    @TRANSFER_HOOKS.register
    def follow_customer_transfer(*, customer, from_owner, to_owner): ...

    TRANSFER_HOOKS.run(customer=customer, from_owner=old, to_owner=new)

Functions run in the order they registered (the order of INSTALLED_APPS), inside the caller's
transaction: a function that raises undoes the whole action. Registering the same function twice
keeps one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Hook:
    """A named, ordered list of functions called with the keyword arguments `arguments`."""

    def __init__(self, name: str, arguments: str = ""):
        self.name = name
        self.arguments = arguments
        self._functions: list[Callable[..., Any]] = []

    def register(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Add `function` (usable as a decorator); a function already registered stays once."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def run(self, **arguments: Any) -> list[Any]:
        """Call every registered function with `arguments`; their results, in order."""
        return [function(**arguments) for function in self._functions]

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(list(self._functions))

    def __len__(self) -> int:
        return len(self._functions)

    def __contains__(self, function: object) -> bool:
        return function in self._functions

    def __repr__(self) -> str:
        return f"<Hook {self.name!r} ({len(self)} functions)>"
