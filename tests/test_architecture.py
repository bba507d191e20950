"""Rules of the architecture that a reviewer should not have to check by eye.

1. The edges (`views.py`, `views/*.py`, `api.py`, `api/*.py`, `forms*.py`) never start a
   query on a tenant model themselves: they read through selectors and write through
   services, which limit every query to the acting user's company. A sanctioned bypass
   lives in a function or class named `dangerously_*`, so every reviewer sees it.
2. Every endpoint under /api/v1/ requires an authenticated company user, except token login.
3. The readers (`selectors.py`, `selectors/*.py`, `panels.py`, `tasks.py`, `reminders.py`,
   `handovers.py`, `templatetags/*.py`) never start a query on a tenant model's manager
   themselves: they start from the visibility engine (`banyan.accounts.visibility`), which
   limits every answer to the acting user's company and line. A deliberate bypass (a lookup
   by secret token, a sweep over every company, a check that spans the whole company) lives
   in a function or class named `dangerously_*` or `company_wide_*`. The engine itself is
   exempt, and so are the sanctioned bypasses that are whole modules: management commands,
   migrations, tests, the admin, and the demo seeder (`demo.py`, which builds and resets one
   company it was handed, with no acting user). `services.py` write and lock rows, and are
   not readers.
4. Dependencies point one way: core ← accounts ← customers ← the rest, in the layers of
   `APP_LAYERS`; an app imports (in either form, at any depth) only apps of lower layers, and
   the reading apps (reports, the workbench) may import all. No modules import each other in
   a circle. Tests and migrations are not read.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, resolve
from rest_framework.test import APIClient

from banyan.accounts import services
from banyan.accounts.models import Company, User

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = REPO_ROOT / "banyan"
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
BYPASS_PREFIX = "dangerously_"
ANONYMOUS_API_ROUTES = {"auth/token/"}


# 1. Edges go through selectors and services --------------------------------------------------


def edge_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        parts = path.relative_to(PACKAGE_ROOT).parts
        if "tests" in parts or "migrations" in parts or "management" in parts:
            continue
        if (
            path.name in {"views.py", "api.py"}
            or path.parent.name in {"views", "api"}
            or (path.name.startswith("forms") and path.suffix == ".py")
        ):
            files.append(path)
    return files


def is_tenant_model(value) -> bool:
    """The Company itself and every model with a `company` (TenantModel, User, ...)."""
    if not (isinstance(value, type) and issubclass(value, models.Model)):
        return False
    if issubclass(value, Company):
        return True
    return any(field.name == "company" for field in value._meta.get_fields())


def is_allowed_manager_access(base: ast.expr, namespace: dict) -> bool:
    """`Permission.objects` is fine; a tenant model, or anything we cannot resolve, is not."""
    if not isinstance(base, ast.Name) or base.id not in namespace:
        return False
    value = namespace[base.id]
    is_model = isinstance(value, type) and issubclass(value, models.Model)
    return is_model and not is_tenant_model(value)


class DirectQueryFinder(ast.NodeVisitor):
    def __init__(self, namespace: dict, bypass_prefixes: tuple[str, ...] = (BYPASS_PREFIX,)):
        self.namespace = namespace
        self.bypass_prefixes = bypass_prefixes
        self.scopes: list[str] = []
        self.violations: list[tuple[int, str]] = []

    def _in_bypass(self) -> bool:
        """Inside a function or class so named (private ones too: `_dangerously_*`)."""
        return any(name.lstrip("_").startswith(self.bypass_prefixes) for name in self.scopes)

    def _scoped(self, node):
        self.scopes.append(node.name)
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = _scoped
    visit_AsyncFunctionDef = _scoped
    visit_ClassDef = _scoped

    def visit_Attribute(self, node: ast.Attribute):
        if (
            node.attr in MANAGER_ATTRIBUTES
            and not self._in_bypass()
            and not is_allowed_manager_access(node.value, self.namespace)
        ):
            self.violations.append((node.lineno, f"{ast.unparse(node)}"))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in SHORTCUTS and not self._in_bypass():
            self.violations.append((node.lineno, f"{name}(...)"))
        self.generic_visit(node)


def direct_queries(
    source: str, namespace: dict, bypass_prefixes: tuple[str, ...] = (BYPASS_PREFIX,)
) -> list[tuple[int, str]]:
    finder = DirectQueryFinder(namespace, bypass_prefixes)
    finder.visit(ast.parse(source))
    return finder.violations


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)


def test_the_edge_files_are_found():
    found = {str(path.relative_to(REPO_ROOT)) for path in edge_files()}

    assert {
        "banyan/api.py",
        "banyan/accounts/api.py",
        "banyan/core/api.py",
        "banyan/customers/api/customers.py",
        "banyan/customers/api/shares.py",
    } <= found


@pytest.mark.parametrize("path", edge_files(), ids=lambda path: str(path.relative_to(PACKAGE_ROOT)))
def test_edges_never_query_tenant_models_directly(path):
    namespace = vars(importlib.import_module(module_name(path)))

    violations = direct_queries(path.read_text(encoding="utf-8"), namespace)

    assert violations == [], (
        f"{path.relative_to(REPO_ROOT)} queries directly (use a selector or a service, or name "
        f"a sanctioned bypass dangerously_*): "
        + ", ".join(f"line {line}: {code}" for line, code in violations)
    )


def test_the_finder_flags_tenant_managers_and_shortcuts():
    source = (
        "def view(request, pk):\n"
        "    users = User.objects.filter(company=request.user.company)\n"
        "    company = get_object_or_404(Company, pk=pk)\n"
        "    other = shortcuts.get_object_or_404(User, pk=pk)\n"
        "    rows = self.model._default_manager.all()\n"
    )

    found = direct_queries(source, {"User": User, "Company": Company})

    assert found == [
        (2, "User.objects"),
        (3, "get_object_or_404(...)"),
        (4, "get_object_or_404(...)"),
        (5, "self.model._default_manager"),
    ]


def test_the_finder_allows_non_tenant_models_and_named_bypasses():
    from django.contrib.auth.models import Permission

    source = (
        "def view(request):\n"
        "    return Permission.objects.all()\n"
        "def dangerously_all_companies():\n"
        "    return Company.objects.all()\n"
        "class dangerously_Admin:\n"
        "    def rows(self):\n"
        "        return User.objects.all()\n"
    )

    assert (
        direct_queries(source, {"Permission": Permission, "User": User, "Company": Company}) == []
    )


# 3. Readers start from the visibility engine ---------------------------------------------------

VISIBILITY_ENGINE = PACKAGE_ROOT / "accounts" / "visibility.py"
READER_FILE_NAMES = {"selectors.py", "panels.py", "tasks.py", "reminders.py", "handovers.py"}
READER_PACKAGES = {"selectors", "templatetags"}
SANCTIONED_MODULES = {"demo.py", "admin.py"}
READER_BYPASS_PREFIXES = (BYPASS_PREFIX, "company_wide_")


def reader_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        parts = path.relative_to(PACKAGE_ROOT).parts
        if "tests" in parts or "migrations" in parts or "management" in parts:
            continue
        if path == VISIBILITY_ENGINE or path.name in SANCTIONED_MODULES:
            continue
        if path.name in READER_FILE_NAMES or path.parent.name in READER_PACKAGES:
            files.append(path)
    return files


def reader_queries(source: str, namespace: dict) -> list[tuple[int, str]]:
    return direct_queries(source, namespace, READER_BYPASS_PREFIXES)


def test_the_reader_files_are_found():
    found = {str(path.relative_to(REPO_ROOT)) for path in reader_files()}

    assert {
        "banyan/accounts/selectors.py",
        "banyan/customers/selectors.py",
        "banyan/activities/reminders.py",
        "banyan/finance/reminders.py",
        "banyan/messaging/tasks.py",
        "banyan/customers/handovers.py",
        "banyan/workbench/panels.py",
        "banyan/core/templatetags/banyan.py",
    } <= found
    assert "banyan/accounts/visibility.py" not in found
    assert not any(name.endswith(("/demo.py", "/admin.py", "/services.py")) for name in found)


@pytest.mark.parametrize(
    "path", reader_files(), ids=lambda path: str(path.relative_to(PACKAGE_ROOT))
)
def test_readers_start_from_the_visibility_engine(path):
    namespace = vars(importlib.import_module(module_name(path)))

    violations = reader_queries(path.read_text(encoding="utf-8"), namespace)

    assert violations == [], (
        f"{path.relative_to(REPO_ROOT)} starts a query on a tenant model's manager (start from "
        f"banyan.accounts.visibility, or name a sanctioned bypass dangerously_* or "
        f"company_wide_*): " + ", ".join(f"line {line}: {code}" for line, code in violations)
    )


def test_the_reader_finder_flags_tenant_managers():
    source = (
        "def visible_users(user):\n"
        "    return User.objects.filter(company_id=user.company_id)\n"
        "def company_profile(user):\n"
        "    return Company._base_manager.get(pk=user.company_id)\n"
        "class Panel:\n"
        "    def rows(self, user):\n"
        "        return self.model._default_manager.filter(company_id=user.company_id)\n"
        "def wide_but_unnamed(user):\n"
        "    return get_object_or_404(User, pk=1)\n"
    )

    found = reader_queries(source, {"User": User, "Company": Company})

    assert found == [
        (2, "User.objects"),
        (4, "Company._base_manager"),
        (7, "self.model._default_manager"),
        (9, "get_object_or_404(...)"),
    ]


def test_the_reader_finder_allows_the_engine_history_and_named_bypasses():
    from django.contrib.auth.models import Permission

    source = (
        "def visible_users(user):\n"
        "    return visibility.of_company(user, User).filter(is_active=True)\n"
        "def user_changes(user, pk):\n"
        "    return User.history.filter(company_id=user.company_id, id=pk)\n"
        "def permissions():\n"
        "    return Permission.objects.all()\n"
        "def dangerously_user_by_token(token):\n"
        "    return User.objects.filter(calendar_token=token)\n"
        "def company_wide_namesakes(user, name):\n"
        "    return User.objects.filter(company_id=user.company_id, real_name=name)\n"
        "class dangerously_Sweep:\n"
        "    def companies(self):\n"
        "        return Company.objects.all()\n"
        "def _dangerously_mark(pk):\n"
        "    return User.objects.filter(pk=pk).update(is_active=False)\n"
    )

    namespace = {"Permission": Permission, "User": User, "Company": Company}
    assert reader_queries(source, namespace) == []
    # The edges know only one kind of bypass: a company-wide read is a selector's business.
    assert direct_queries(source, namespace) == [(10, "User.objects")]


# 2. The API requires authentication ------------------------------------------------------------


def api_routes() -> list[tuple[str, URLPattern]]:
    """(route under /api/v1/, pattern) for every URL pattern of the API, includes flattened."""
    from banyan.api import api_urlpatterns

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + sample_path(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route, pattern

    return list(walk(api_urlpatterns))


def sample_path(pattern) -> str:
    """A concrete path matching one URL pattern: ids become 1, formats json."""
    text = str(pattern)
    if not text.startswith("^"):
        # A route: "<int:pk>" takes 1, DRF's "<drf_format_suffix:format>" takes ".json".
        text = re.sub(r"<drf_format_suffix\w*:format>", ".json", text)
        return re.sub(r"<[^>]+>", "1", text)
    text = text.removeprefix("^").removesuffix("$")
    text = re.sub(r"\(\?P<format>[^)]*\)", "json", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    return text.replace("/?", "/").replace("\\.", ".")


API_ROUTES = api_routes()


def test_the_api_routes_are_found():
    routes = {route for route, _pattern in API_ROUTES}

    for route, pattern in API_ROUTES:
        assert resolve(f"/api/v1/{route}").func == pattern.callback, route

    assert {"auth/token/", "users/", "users/1/", "dictionary/", "dictionary/1/"} <= routes


PROTECTED_API_ROUTES = [
    route for route, _pattern in API_ROUTES if route not in ANONYMOUS_API_ROUTES
]


@pytest.mark.parametrize("route", PROTECTED_API_ROUTES)
def test_every_api_endpoint_refuses_anonymous_requests(db, route):
    response = APIClient().get(f"/api/v1/{route}")

    assert response.status_code in (401, 403), route


@pytest.mark.parametrize("route", PROTECTED_API_ROUTES)
def test_every_api_endpoint_refuses_a_user_without_a_company(db, route):
    operator = User.objects.create_superuser("operator", "Operator-pass-2026")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {services.api_token_for(operator)}")

    response = client.get(f"/api/v1/{route}")

    assert response.status_code == 403, route


def test_only_token_login_is_open_to_anonymous_clients(db):
    open_routes = {
        route
        for route, _pattern in API_ROUTES
        if APIClient().get(f"/api/v1/{route}").status_code not in (401, 403)
    }

    assert open_routes == ANONYMOUS_API_ROUTES
    assert APIClient().get("/api/v1/auth/token/").status_code == 405


# 4. Dependencies point one way -----------------------------------------------------------------

# The apps in layers, lowest first. An app imports only apps of lower layers: never one of its
# own layer, never one above. A lower app that must react to a higher one offers a hook
# (`banyan.core.hooks.Hook`) or a panel registry that the higher one registers into.
APP_LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("accounts",),
    ("exports",),  # the export log and the registry every list's own `exports.py` joins
    ("customers",),
    ("products", "messaging", "opportunities"),
    ("activities", "agreements"),  # activities send reminders; agreements sell products
    ("finance", "inventory"),  # money and stock of the agreements
    ("purchasing", "targets"),  # purchases fill the stock; targets count the payments
    ("imports",),  # files of customers, products and stock, written through their services
)
# They read every app for their pages and figures, and no app imports them.
READING_APPS = frozenset({"reports", "workbench"})
# (importer, imported) pairs still against the direction, each with the change that ends it.
KNOWN_UPWARD_IMPORTS: set[tuple[str, str]] = set()
# Not read: an app's tests build their state through any app's services, and its migrations
# name the tables their history needs. The project's own modules (settings, urls, the API
# router) are not in an app: they assemble them all.
UNREAD_PARTS = {"tests", "migrations"}

APP_LAYER = {app: level for level, apps in enumerate(APP_LAYERS) for app in apps}


def app_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE_ROOT).parts
    return parts[0] if len(parts) > 1 else None


def imported_modules(source: str, module: str) -> list[tuple[int, str, str]]:
    """(line, imported module, the statement) for every import in `source`, both forms, at
    any depth (inside functions too), relative ones resolved against `module`."""
    found = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ast.unparse(node)) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from banyan import finance` imports the app itself.
            names = [f"{base}.{alias.name}" for alias in node.names] if base == "banyan" else []
            found += [(node.lineno, name, ast.unparse(node)) for name in names or [base]]
    return found


def import_direction_violations(app: str, imports) -> list[tuple[int, str, str]]:
    """The imports of `app` that go against the layers: to an app of its own layer or above,
    or to a reading app."""
    if app in READING_APPS:
        return []
    violations = []
    for line, name, statement in imports:
        parts = name.split(".")
        if parts[0] != "banyan" or len(parts) < 2:
            continue
        target = parts[1]
        if target == app or target not in APP_LAYER.keys() | READING_APPS:
            continue  # itself, or a project module (banyan.settings)
        if (app, target) in KNOWN_UPWARD_IMPORTS:
            continue
        if target in READING_APPS or APP_LAYER[target] >= APP_LAYER[app]:
            violations.append((line, name, statement))
    return violations


def app_source_files() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
        if app_of(path) is not None and not UNREAD_PARTS & set(path.relative_to(PACKAGE_ROOT).parts)
    ]


def test_every_app_has_its_place_in_the_layers():
    apps = {path.parent.name for path in PACKAGE_ROOT.glob("*/apps.py")}

    assert apps - APP_LAYER.keys() - READING_APPS == set(), "add the new app to APP_LAYERS"
    assert len(APP_LAYER) == sum(len(layer) for layer in APP_LAYERS)  # each app once
    assert not APP_LAYER.keys() & READING_APPS


def test_imports_point_down_the_layers():
    violations = []
    for path in app_source_files():
        app = app_of(path)
        imports = imported_modules(path.read_text(encoding="utf-8"), module_name(path))
        violations += [
            f"{path.relative_to(REPO_ROOT)}:{line}: {statement}"
            for line, _name, statement in import_direction_violations(app, imports)
        ]

    assert violations == [], (
        "imports against the direction core ← accounts ← customers ← the rest (see "
        "APP_LAYERS; offer a Hook or a panel registry instead):\n" + "\n".join(violations)
    )


def test_the_import_reader_finds_both_forms_at_any_depth():
    source = (
        "import banyan.finance.selectors\n"
        "from banyan.customers import selectors\n"
        "from banyan import purchasing\n"
        "def late():\n"
        "    from banyan.finance.models import PaymentPlan\n"
        "    from ..inventory import services\n"
        "    from . import panels\n"
    )

    found = imported_modules(source, "banyan.agreements.views")

    assert [(line, name) for line, name, _statement in found] == [
        (1, "banyan.finance.selectors"),
        (2, "banyan.customers"),
        (3, "banyan.purchasing"),
        (5, "banyan.finance.models"),
        (6, "banyan.inventory"),
        (7, "banyan.agreements"),
    ]
    assert [line for line, _name, _s in import_direction_violations("agreements", found)] == [
        1,
        3,
        5,
        6,
    ]
    assert import_direction_violations("workbench", found) == []
    assert [name for _line, name, _s in import_direction_violations("core", found)] == [
        "banyan.finance.selectors",
        "banyan.customers",
        "banyan.purchasing",
        "banyan.finance.models",
        "banyan.inventory",
        "banyan.agreements",
    ]


# Modules never import each other in a circle either (messaging's services once enqueued the
# task that called them back): the cycles found, as sorted module lists, with the change that
# ends each.
KNOWN_MODULE_CYCLES: set[tuple[str, str]] = set()


def module_import_graph() -> dict[str, set[str]]:
    """Module → the Banyan modules it imports (at any depth), tests and migrations left out.
    `from package import name` counts as importing `package.name` when that is a module."""
    paths = {}
    for path in app_source_files() + sorted(PACKAGE_ROOT.glob("*.py")):
        name = module_name(path).removesuffix(".__init__")
        paths[name] = path
    graph = {}
    for name, path in paths.items():
        targets = set()
        for _line, imported, _statement in imported_modules(path.read_text(encoding="utf-8"), name):
            targets.add(imported)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = {f"{node.module}.{alias.name}" for alias in node.names}
                targets.update(names)
                if names <= paths.keys():
                    # Only submodules: `from package import module` runs the package's
                    # __init__, but the module it names is what it depends on.
                    targets.discard(node.module)
        resolved = set()
        for target in targets:
            while target and target not in paths:
                target = target.rpartition(".")[0]
            if target and target != name:
                resolved.add(target)
        graph[name] = resolved
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(tuple(sorted(group)))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_no_modules_import_each_other_in_a_circle():
    cycles = [
        cycle for cycle in import_cycles(module_import_graph()) if cycle not in KNOWN_MODULE_CYCLES
    ]

    assert cycles == [], (
        "modules that import each other (directly or round a circle): "
        + "; ".join(" → ".join(cycle) for cycle in cycles)
    )


def test_the_cycle_finder_finds_circles_of_any_length():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}

    assert import_cycles(graph) == [("a", "b", "c"), ("d", "e")]
