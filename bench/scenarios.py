"""What the benchmark times: found from the URL map, not listed by hand.

- every page without a parameter in its URL that shows a list (its name ends in `-list` or
  `-log`, or it is one of PAGES: the workbench, the calendar, the opportunity board, …);
- every API list of the router (`/api/v1/<resource>/`);
- the customer view of one customer;
- a search for each page that has a search box (`name="q"` in its HTML) and for each API list
  that filters by `?search=`, with a word its rows contain (SEARCH_TERMS).

Pages and API lists on customers' rows (who sees what follows the reporting line) are timed
for the boss, a director, a manager and a rep; catalogues every member of the company reads
alike (COMPANY_WIDE) for the boss only.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

ROLES = ("boss", "director", "manager", "rep")
# The users of the seed (bench.seed.build_people) who act in each role.
USERNAMES = {"boss": "boss", "director": "d0", "manager": "d0m0", "rep": "d0m0s0"}

# Pages whose URL name does not end in -list/-log but that show lists, by their names here.
PAGES = {
    "home": "workbench",
    "workbench-dashboard": "workbench dashboard",
    "calendar": "calendar",
    "opportunity-pipeline": "opportunity board",
    "finance-home": "finance desk",
    "low-stock": "low-stock list",
    "slip-queue": "stock slip queue list",
    "product-categories": "product category list",
    "account-users": "user list",
    "account-dictionary": "data dictionary list",
    "api-tokens": "API token list",
    "customer-duplicates": "duplicate customers list",
}
NAMES = {
    "plan-list": "receivables (payment plan) list",
    "sms-log": "SMS log list",
    "email-log": "e-mail log list",
    "message-template-list": "message template list",
    "slip-list": "stock slip list",
    "movement-list": "stock movement list",
    "stock-list": "stock list",
}
# Rows every member of the company reads alike: the role changes nothing but permissions.
COMPANY_WIDE = {
    "product-list", "product-categories", "warehouse-list", "stock-list", "low-stock",
    "movement-list", "slip-list", "slip-queue", "stocktake-list", "supplier-list",
    "purchase-order-list", "message-template-list", "account-users", "account-dictionary",
    "api-tokens", "target-list",
    "api:products", "api:product-categories", "api:warehouses", "api:stock",
    "api:stock-movements", "api:stock-slips", "api:stocktakes", "api:suppliers",
    "api:purchase-orders", "api:dictionary", "api:users", "api:auth/tokens", "api:targets",
}  # fmt: skip
# What to type in each list's search box (a word its rows hold); the default is a city.
SEARCH_TERMS = {
    "customer-list": [("pinyin initials", "bj"), ("name", "北京华信"), ("phone", None)],
    "contact-list": [("name", "王伟")],
    "activity-list": [("subject", "报价")],
    "task-list": [("subject", "报价")],
    "contract-list": [("number", "HT0001")],
    "order-list": [("number", "DD0001")],
    "product-list": [("name", "服务器")],
    "stock-list": [("product", "服务器")],
    "low-stock": [("product", "服务器")],
    "slip-list": [("number", "RK0001")],
    "movement-list": [("product", "服务器")],
    "api:users": [("name", "d0m0")],
    "api:stock": [("product", "服务器")],
    "api:stock-slips": [("number", "RK0001")],
    "api:customers": [("pinyin initials", "bj"), ("phone", None)],
    "api:contacts": [("name", "王伟")],
    "api:activities": [("subject", "报价")],
    "api:tasks": [("subject", "报价")],
    "api:agreements": [("number", "DD0001")],
    "api:products": [("name", "服务器")],
}
DEFAULT_TERM = [("customer name", "北京")]
# The reports (issue 14), this month: each page and its API for the boss in every grouping,
# for a director and a manager in the default one (the seed gives d0 and d0m0 every special
# permission, "view reports" included: their reports cover their subtrees).
REPORTS = {
    "sales-performance": ("rep", "group", "month", "week"),
    "pipeline": ("stage", "rep"),
    "activities": ("rep", "day", "week"),
    "inventory": ("warehouse", "month"),
    "products": ("product", "category"),
    "customers": ("rep", "type", "source", "region", "industry", "month"),
    "receivables": ("rep", "customer", "month"),
}
REPORT_ROLES = ("director", "manager")
# Extra views of some lists, by query string.
VARIANTS = {
    "task-list": [
        ("team task list", {"scope": "team"}, ("director", "manager")),
        ("task list, all I can see", {"scope": "all", "status": "all"}, ROLES),
    ],
}


@dataclass
class Scenario:
    name: str
    url: str
    role: str
    key: str  # the URL name (or api:<resource>) it was found from

    @property
    def kind(self) -> str:
        if self.name.endswith("search") or " search (" in self.name:
            return "search"
        if self.name.startswith("API"):
            return "api"
        return "page"


def _walk(patterns, prefix=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def list_pages() -> list[tuple[str, str, str]]:
    """(key, name, url) of every list page and API list in the URL map."""
    from django.urls import get_resolver

    found = []
    for route, name in _walk(get_resolver().url_patterns):
        if "<" in route or name is None:
            continue
        if route.startswith("api/v1/"):
            match = re.fullmatch(r"api/v1/\^(.+)/\$", route)
            if match and name.endswith("-list"):
                resource = match.group(1)
                found.append((f"api:{resource}", f"API {resource}", f"/api/v1/{resource}/"))
            continue
        if name in PAGES:
            found.append((name, PAGES[name], "/" + route))
        elif name.endswith(("-list", "-log")):
            found.append(
                (
                    name,
                    NAMES.get(name, name.removesuffix("-list").replace("-", " ") + " list"),
                    "/" + route,
                )
            )
    return found


# Pages only people with a team open (a rep is answered 404).
TEAM_ONLY = {"workbench-dashboard"}


def roles_for(key: str) -> tuple[str, ...]:
    if key in TEAM_ONLY:
        return ("boss", "director", "manager")
    return ("boss",) if key in COMPANY_WIDE else ROLES


def build(clients: dict, company) -> list[Scenario]:
    """Every scenario, for the clients logged in per role (used once each to find the
    search boxes)."""
    from banyan.accounts.models import User
    from banyan.customers.models import Customer

    rep = User.objects.get(company=company, username=USERNAMES["rep"])
    sample = Customer.objects.filter(company=company, owner=rep).order_by("id").first()
    scenarios = []
    boss = clients["boss"]
    for key, name, url in list_pages():
        roles = roles_for(key)
        scenarios.extend(Scenario(name, url, role, key) for role in roles)
        for label, query, variant_roles in VARIANTS.get(key, []):
            scenarios.extend(
                Scenario(label, f"{url}?{urlencode(query)}", role, key) for role in variant_roles
            )
        if key.startswith("api:"):
            response = boss.get(url, {"search": "没有这个词zz"})
            everything = boss.get(url)
            searchable = (
                response.status_code == 200
                and everything.status_code == 200
                and isinstance(response.json(), dict)
                and response.json().get("count") == 0
                and everything.json().get("count", 0) > 0
            )
            parameter = "search"
        else:
            response = boss.get(url)
            searchable = response.status_code == 200 and b'name="q"' in response.content
            parameter = "q"
        if not searchable:
            continue
        for label, term in SEARCH_TERMS.get(key, DEFAULT_TERM):
            term = term or sample.phone
            search_name = f"{name} search ({label})"
            search_url = f"{url}?{urlencode({parameter: term})}"
            scenarios.extend(Scenario(search_name, search_url, role, key) for role in roles)
    scenarios.extend(
        Scenario("customer view", f"/customers/{sample.pk}/", role, "customer-detail")
        for role in ROLES
    )
    scenarios.extend(report_scenarios())
    return scenarios


def report_scenarios() -> list[Scenario]:
    scenarios = []
    for report, groupings in REPORTS.items():
        for group_by in groupings:
            query = urlencode({"group_by": group_by})
            for name, url in (
                (f"report {report} by {group_by}", f"/reports/{report}/?{query}"),
                (f"API report {report} by {group_by}", f"/api/v1/reports/{report}/?{query}"),
            ):
                roles = ("boss", *REPORT_ROLES) if group_by == groupings[0] else ("boss",)
                scenarios.extend(Scenario(name, url, role, f"report:{report}") for role in roles)
    return scenarios


def budget_ms(scenario: Scenario) -> int:
    """The p95 budget in-process (issue 11): searches 100 ms, the workbench (and its
    dashboard, which it loads after itself) and API lists 80 ms, every other page (lists,
    the board, the calendar, the customer view) 50 ms; a report (issue 14) 300 ms, page or
    API."""
    if scenario.key.startswith("report:"):
        return 300
    if scenario.kind == "search":
        return 100
    if scenario.name in ("workbench", "workbench dashboard") or scenario.kind == "api":
        return 80
    return 50


RATIO_BUDGET = 3.0
