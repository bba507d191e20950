"""Panels: pages built from parts that apps contribute (the customer view, the workbench).

An app registers a panel once, from its AppConfig.ready():

    customer_view.register(Panel(
        key="contacts", title=_("Contacts"), template="customers/panels/contacts.html",
        order=10, context=lambda user, customer: {...},
    ))

The page calls `customer_view.render(request, customer)` and outputs each panel's HTML in
order; `workbench.data(user)` gives the panels' `data` (user → JSON-able dict) for the API.
A page with several places for panels (the agreement's: its side column, under its lines, at
the end) asks `render_slots`, and a panel names its place with `slot`. A panel that draws its
own card (heading, actions, ids of its own) says `framed=False`; the page frames the others.
A panel's context and data functions must use the app's selectors (so they respect
visibility) and keep a fixed number of queries. No page template knows the apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    key: str
    title: str  # a lazy translation
    template: str
    order: int = 100
    context: Callable[..., dict] = field(default=lambda user, obj: {})
    modules: tuple[str, ...] = ()  # Company.uses_* flags; any one switched on suffices
    allowed: Callable[..., bool] = field(default=lambda user, obj: True)
    # The panel's figures as JSON-able values, for the API (user → dict); None: none offered.
    data: Callable[..., dict] | None = None
    slot: str = "main"  # where on a page with several places for panels
    framed: bool = True  # False: the template draws its own card

    def is_visible_to(self, user, obj) -> bool:
        company = user.company
        if self.modules and not any(getattr(company, flag) for flag in self.modules):
            return False
        return self.allowed(user, obj)


class PanelRegistry:
    def __init__(self, name: str):
        self.name = name
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> None:
        self._panels[panel.key] = panel

    def __contains__(self, key: str) -> bool:
        return key in self._panels

    def unregister(self, key: str) -> None:
        self._panels.pop(key, None)

    def panels_for(self, user, obj=None, *, slot: str | None = None) -> list[Panel]:
        panels = [
            p
            for p in self._panels.values()
            if (slot is None or p.slot == slot) and p.is_visible_to(user, obj)
        ]
        return sorted(panels, key=lambda p: (p.order, p.key))

    def render(self, request, obj=None, *, slot: str | None = None) -> list[dict]:
        """Each visible panel (of `slot`, if given) rendered to HTML: `[{"key", "title",
        "html", "slot", "framed"}]`.

        A panel's template receives its context function's result plus `object` (the page's
        object, e.g. the customer), `user` and `request`.
        """
        rendered = []
        for panel in self.panels_for(request.user, obj, slot=slot):
            context = {"object": obj, "user": request.user, "panel_key": panel.key}
            context.update(panel.context(request.user, obj))
            rendered.append(
                {
                    "key": panel.key,
                    "title": panel.title,
                    "html": render_to_string(panel.template, context, request=request),
                    "slot": panel.slot,
                    "framed": panel.framed,
                }
            )
        return rendered

    def render_slots(self, request, obj=None) -> dict[str, list[dict]]:
        """`render`, grouped by the panels' slots: `{"side": [...], "main": [...]}`."""
        slots: dict[str, list[dict]] = {}
        for panel in self.render(request, obj):
            slots.setdefault(panel["slot"], []).append(panel)
        return slots

    def data(self, user, obj=None) -> list[dict]:
        """Each visible panel that offers data: `[{"key", "title", "data"}]`."""
        return [
            {"key": panel.key, "title": str(panel.title), "data": panel.data(user)}
            for panel in self.panels_for(user, obj)
            if panel.data is not None
        ]


customer_view = PanelRegistry("customer_view")
workbench = PanelRegistry("workbench")
agreement_view = PanelRegistry("agreement_view")
# Rows of a stock slip's details (`<dt>`/`<dd>` pairs), e.g. the purchase order it receives.
slip_view = PanelRegistry("slip_view")
