"""The left navigation: each app contributes its entries from its AppConfig.ready().

An entry shows only when the company uses its module and the user may open it, so the menu
follows the company's settings and the user's rights without any template knowing the apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    icon: str  # a Bootstrap Icons name, without the "bi-" prefix
    order: int = 100
    section: str = "main"  # "main" or "account"
    modules: tuple[str, ...] = ()  # Company.uses_* flags; any one of them switched on suffices
    allowed: Callable[[object], bool] = field(default=lambda user: True)

    def is_visible_to(self, user) -> bool:
        company = user.company
        if self.modules and not any(getattr(company, flag) for flag in self.modules):
            return False
        return self.allowed(user)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user, section: str = "main") -> list[NavItem]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "company_id", None):
        return []
    items = [i for i in _registry.values() if i.section == section and i.is_visible_to(user)]
    return sorted(items, key=lambda i: (i.order, i.key))
