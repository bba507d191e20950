"""The base layout: menus that follow modules and rights, security headers, health check."""

from django.urls import reverse

from banyan.accounts import services
from banyan.core import navigation
from banyan.core.navigation import NavItem


def test_security_headers(client, db):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_check(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_account_menu_only_for_admin_bosses(client_as, org):
    admin_page = client_as(org.boss).get(reverse("home")).content.decode()
    assert 'id="nav-account"' in admin_page
    for user in (org.vice_boss, org.manager1, org.sales1):
        page = client_as(user).get(reverse("home")).content.decode()
        assert 'id="nav-account"' not in page
        assert 'id="nav-main"' in page


def test_menu_entries_follow_the_modules_in_use(client_as, org, monkeypatch):
    monkeypatch.setitem(
        navigation._registry,
        "test-inventory",
        NavItem("test-inventory", "Stock (test)", "home", "box", modules=("uses_inventory",)),
    )
    assert "Stock (test)" not in client_as(org.sales1).get(reverse("home")).content.decode()
    services.company_update_settings(actor=org.boss, uses_inventory=True)
    assert "Stock (test)" in client_as(org.sales1).get(reverse("home")).content.decode()


def test_times_follow_the_company_time_zone(org, rf):
    from django.utils import timezone

    from banyan.accounts.middleware import CompanyAccessMiddleware

    services.company_update_profile(actor=org.boss, time_zone="Europe/Berlin")
    org.sales1.refresh_from_db()
    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.get("/")
    request.user = org.sales1
    CompanyAccessMiddleware(view)(request)
    assert seen == ["Europe/Berlin"]


def test_optimize_database_refreshes_statistics(db):
    from django.core.management import call_command
    from django.db import connection

    call_command("optimize_database")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
