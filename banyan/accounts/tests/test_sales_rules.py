"""The company's sales rules and number prefixes on the settings page."""

from django.urls import reverse

from banyan.accounts.models import Company

BASE = {"uses_contracts": "on", "uses_orders": "on", "uses_customer_tracking": "on"}


def test_new_companies_keep_the_default_rules(org):
    company = org.company
    assert company.signing_makes_regular is True
    assert company.allow_invoice_ahead is False
    assert (company.contract_number_prefix, company.order_number_prefix) == ("HT", "DD")


def test_the_settings_page_saves_rules_and_prefixes(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-settings"),
        {
            **BASE,
            "hot_customer_cap": "10",
            "allow_invoice_ahead": "on",
            "contract_number_prefix": " ht-2026 ",
            "order_number_prefix": "ＳＯ",
        },
    )

    assert response.status_code == 302
    company = Company.objects.get(pk=org.company.pk)
    assert company.signing_makes_regular is False  # its box was left unticked
    assert company.allow_invoice_ahead is True
    assert (company.contract_number_prefix, company.order_number_prefix) == ("HT-2026", "SO")


def test_a_bad_prefix_is_refused_naming_the_field(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-settings"),
        {**BASE, "hot_customer_cap": "10", "contract_number_prefix": "合同#"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["contract_number_prefix"] == [
        "Use at most 10 letters, digits, hyphens, underscores or slashes."
    ]
    assert Company.objects.get(pk=org.company.pk).contract_number_prefix == "HT"


def test_the_page_shows_the_current_rules(org, client_as):
    response = client_as(org.boss).get(reverse("account-settings"))

    form = response.context["form"]
    assert form.initial["signing_makes_regular"] is True
    assert form.initial["order_number_prefix"] == "DD"


def test_only_an_admin_boss_changes_the_rules(org, client_as):
    response = client_as(org.vice_boss).post(
        reverse("account-settings"), {**BASE, "hot_customer_cap": "10", "allow_invoice_ahead": "on"}
    )

    assert response.status_code in (302, 403)
    assert Company.objects.get(pk=org.company.pk).allow_invoice_ahead is False
