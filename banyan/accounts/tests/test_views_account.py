"""The account pages (帐户菜单): users, company profile and logo, modules in use, dictionary."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from banyan.accounts import selectors, services, visibility
from banyan.accounts.models import Company, DictionaryOption, Role, User
from banyan.accounts.services import users as user_services
from banyan.core.hooks import Hook
from banyan.core.tests.hostile_files import peak_memory, png_declaring

NEW_PASSWORD = "Fresh-Start-2026"


def _user_data(**overrides) -> dict:
    data = {
        "username": "newbie",
        "password": NEW_PASSWORD,
        "real_name": "新同事",
        "mobile": "",
        "email": "",
        "role": Role.SALES,
        "superior": "",
        "assistant_of": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _edit_data(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "real_name": user.real_name,
        "mobile": user.mobile,
        "email": user.email,
        "role": user.role,
        "superior": user.superior_id or "",
        "assistant_of": user.assistant_of_id or "",
    }
    if user.is_admin:
        data["is_admin"] = "on"
    data.update(overrides)
    return data


def _png_bytes(size=(960, 320), color=(20, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _company_count_users(company) -> int:
    return User.objects.filter(company=company).count()


# Users


def test_users_page_shows_the_reporting_line_as_a_tree(org, client_as):
    response = client_as(org.boss).get(reverse("account-users"))

    assert response.status_code == 200
    order = [(row["user"].username, row["depth"]) for row in response.context["rows"]]
    assert order == [
        ("boss", 0),
        ("director1", 1),
        ("manager1", 2),
        ("sales1", 3),
        ("sales2", 3),
        ("manager2", 2),
        ("sales3", 3),
        ("sales_d1", 2),
        ("assistant", 2),
        ("director2", 1),
        ("sales4", 2),
        ("sales_boss", 1),
        ("vice_boss", 0),
    ]
    html = response.content.decode()
    assert f'id="user-{org.sales1.pk}" data-depth="3"' in html
    assert 'class="depth-3 fw-normal"' in html


def test_users_page_lists_special_permissions_and_principal(org, client_as):
    services.user_update(actor=org.boss, user=org.sales4, permissions=["finance"])

    response = client_as(org.boss).get(reverse("account-users"))

    rows = {row["user"].username: row for row in response.context["rows"]}
    assert [str(label) for label in rows["sales4"]["permissions"]] == ["Finance"]
    assert rows["assistant"]["user"].assistant_of == org.manager1
    assert rows["sales1"]["permissions"] == []


def test_admin_creates_a_user_who_appears_in_the_tree_at_the_right_place(org, client_as):
    client = client_as(org.boss)

    response = client.post(
        reverse("account-user-create"),
        _user_data(superior=org.manager2.pk, permissions=["export_data", "view_reports"]),
    )

    assert response.status_code == 302
    assert response.url == reverse("account-users")
    newbie = User.objects.get(company=org.company, username="newbie")
    assert newbie.path == f"{org.manager2.path}{newbie.pk}/"
    assert newbie.superior == org.manager2
    assert newbie.real_name == "新同事"
    assert newbie.check_password(NEW_PASSWORD)
    assert sorted(newbie.user_permissions.values_list("codename", flat=True)) == [
        "export_data",
        "view_reports",
    ]
    names = [row["user"].username for row in client.get(reverse("account-users")).context["rows"]]
    assert names.index("newbie") == names.index("sales3") + 1
    assert names[names.index("newbie") + 1] == "sales_d1"
    page = client.get(reverse("account-users")).content.decode()
    assert f'id="user-{newbie.pk}" data-depth="3"' in page


def test_illegal_structure_rerenders_with_the_message_on_superior_and_keeps_input(org, client_as):
    before = _company_count_users(org.company)

    response = client_as(org.boss).post(
        reverse("account-user-create"),
        _user_data(
            username="lost_manager",
            real_name="迷路经理",
            email="lost@example.com",
            role=Role.MANAGER,
            superior=org.boss.pk,
        ),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["superior"] == ["A Manager reports to a Director, not to a Boss."]
    assert _company_count_users(org.company) == before
    html = response.content.decode()
    assert 'value="lost_manager"' in html
    assert 'value="迷路经理"' in html
    assert 'value="lost@example.com"' in html
    assert f'<option value="{org.boss.pk}" selected>' in html
    assert '<option value="manager" selected>' in html


def test_duplicate_username_and_weak_password_are_shown_on_their_fields(org, client_as):
    before = _company_count_users(org.company)
    client = client_as(org.boss)

    duplicate = client.post(
        reverse("account-user-create"), _user_data(username="sales1", superior=org.boss.pk)
    )
    weak = client.post(
        reverse("account-user-create"), _user_data(superior=org.boss.pk, password="12345678")
    )

    assert duplicate.status_code == 200
    assert duplicate.context["form"].errors["username"] == [
        "The username sales1 is already taken in your company."
    ]
    assert weak.status_code == 200
    assert weak.context["form"].errors["password"]
    assert _company_count_users(org.company) == before


def test_edit_form_prechecks_current_special_permissions(org, client_as):
    services.user_update(actor=org.boss, user=org.sales1, permissions=["see_costs", "finance"])

    response = client_as(org.boss).get(reverse("account-user-edit", args=[org.sales1.pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert sorted(form.initial["permissions"]) == ["finance", "see_costs"]
    assert "password" not in form.fields
    html = response.content.decode()
    assert 'value="see_costs" class="form-check-input" id="id_permissions_1" checked>' in html
    assert 'value="finance" class="form-check-input" id="id_permissions_7" checked>' in html
    assert 'value="export_data" class="form-check-input" id="id_permissions_3">' in html
    superior_ids = {u.pk for u in form.fields["superior"].queryset}
    assert org.sales1.pk not in superior_ids
    assert org.manager1.pk in superior_ids


def test_edit_moves_a_managers_whole_subtree_to_another_director(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-user-edit", args=[org.manager1.pk]),
        _edit_data(org.manager1, superior=org.director2.pk),
    )

    assert response.status_code == 302
    manager1 = User.objects.get(pk=org.manager1.pk)
    sales1 = User.objects.get(pk=org.sales1.pk)
    sales2 = User.objects.get(pk=org.sales2.pk)
    assert manager1.superior_id == org.director2.pk
    assert manager1.path == f"{org.director2.path}{manager1.pk}/"
    assert sales1.path == f"{manager1.path}{sales1.pk}/"
    assert sales2.path == f"{manager1.path}{sales2.pk}/"
    director2 = User.objects.get(pk=org.director2.pk)
    director1 = User.objects.get(pk=org.director1.pk)
    assert set(visibility.visible_owners(director2).values_list("username", flat=True)) == {
        "director2",
        "sales4",
        "manager1",
        "sales1",
        "sales2",
    }
    assert not visibility.visible_owners(director1).filter(pk__in=[sales1.pk, sales2.pk]).exists()


def test_edit_refusal_keeps_input_and_changes_nothing(org, client_as):
    path_before = org.manager1.path

    response = client_as(org.boss).post(
        reverse("account-user-edit", args=[org.manager1.pk]),
        _edit_data(org.manager1, real_name="改名经理", superior=org.sales4.pk),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["superior"] == [
        "A Manager reports to a Director, not to a Sales."
    ]
    assert 'value="改名经理"' in response.content.decode()
    manager1 = User.objects.get(pk=org.manager1.pk)
    assert (manager1.real_name, manager1.path) == ("manager1", path_before)


def test_deactivation_is_refused_while_active_subordinates_exist(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-user-deactivate", args=[org.manager1.pk]), {"hand_over_to": ""}
    )

    assert response.status_code == 200
    assert (
        "manager1 still has 2 active subordinates: give them another superior before "
        "deactivating." in response.context["form"].non_field_errors()
    )
    assert User.objects.get(pk=org.manager1.pk).is_active is True


def test_deactivation_hands_over_to_the_chosen_user(org, client_as, monkeypatch):
    calls = []
    handovers = Hook("user deactivated with a successor")
    handovers.register(lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(user_services, "DEACTIVATION_HANDOVERS", handovers)
    client = client_as(org.boss)

    page = client.get(reverse("account-user-deactivate", args=[org.sales1.pk]))
    choices = {u.pk for u in page.context["form"].fields["hand_over_to"].queryset}
    response = client.post(
        reverse("account-user-deactivate", args=[org.sales1.pk]),
        {"hand_over_to": org.sales2.pk},
    )

    assert org.sales1.pk not in choices
    assert org.sales2.pk in choices
    assert response.status_code == 302
    assert User.objects.get(pk=org.sales1.pk).is_active is False
    assert [(c["from_user"].pk, c["to_user"].pk, c["actor"].pk) for c in calls] == [
        (org.sales1.pk, org.sales2.pk, org.boss.pk)
    ]
    # a deactivated user is no longer offered as a receiver
    page = client.get(reverse("account-user-deactivate", args=[org.sales2.pk]))
    assert org.sales1.pk not in {u.pk for u in page.context["form"].fields["hand_over_to"].queryset}


def test_deactivation_refuses_a_receiver_of_another_company(org, other_org, client_as):
    response = client_as(org.boss).post(
        reverse("account-user-deactivate", args=[org.sales1.pk]),
        {"hand_over_to": other_org.sales2.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["hand_over_to"]
    assert User.objects.get(pk=org.sales1.pk).is_active is True


def test_reactivate_brings_a_user_back(org, client_as):
    services.user_deactivate(actor=org.boss, user=org.sales1)

    response = client_as(org.boss).post(reverse("account-user-reactivate", args=[org.sales1.pk]))

    assert response.status_code == 302
    assert User.objects.get(pk=org.sales1.pk).is_active is True


def test_admin_resets_a_password_and_the_user_can_log_in_with_it(org, client_as, password):
    response = client_as(org.boss).post(
        reverse("account-user-password", args=[org.sales1.pk]),
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert response.status_code == 302
    sales1 = User.objects.get(pk=org.sales1.pk)
    assert sales1.check_password(NEW_PASSWORD)
    assert not sales1.check_password(password)


def test_password_reset_refusals_change_nothing(org, client_as, password):
    client = client_as(org.boss)

    differ = client.post(
        reverse("account-user-password", args=[org.sales1.pk]),
        {"password": NEW_PASSWORD, "password_again": "Something-else-2026"},
    )
    weak = client.post(
        reverse("account-user-password", args=[org.sales1.pk]),
        {"password": "123", "password_again": "123"},
    )

    assert differ.status_code == 200
    assert differ.context["form"].errors["password_again"] == ["The two passwords differ."]
    assert weak.status_code == 200
    assert weak.context["form"].errors["password"]
    assert User.objects.get(pk=org.sales1.pk).check_password(password)


def test_users_page_query_count_does_not_grow_with_the_number_of_users(
    org, client_as, django_assert_max_num_queries
):
    client = client_as(org.boss)
    services.user_update(actor=org.boss, user=org.sales1, permissions=["finance"])
    client.get(reverse("account-users"))  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("account-users")).status_code == 200
    for number in range(20):
        services.user_create(
            actor=org.boss,
            username=f"extra{number}",
            password=NEW_PASSWORD,
            role=Role.SALES,
            superior=org.manager2 if number % 2 else org.director2,
            assistant_of=org.manager1 if number % 3 == 0 else None,
            permissions=["export_data", "finance"],
        )

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("account-users"))

    assert len(response.context["rows"]) == 12 + 20 + 1


def test_users_page_goes_through_the_reporting_line_a_page_at_a_time(org, client_as, monkeypatch):
    from banyan.accounts.views import users as user_views

    monkeypatch.setattr(user_views, "USERS_PER_PAGE", 5)
    client = client_as(org.boss)

    pages = [client.get(reverse("account-users"), {"page": n}) for n in (1, 2, 3)]

    seen = [row["user"].username for page in pages for row in page.context["rows"]]
    assert seen == [
        "boss", "director1", "manager1", "sales1", "sales2",
        "manager2", "sales3", "sales_d1", "assistant", "director2",
        "sales4", "sales_boss", "vice_boss",
    ]  # fmt: skip
    assert [len(page.context["rows"]) for page in pages] == [5, 5, 3]
    assert "?page=2" in pages[0].content.decode()
    assert pages[2].context["rows"][0]["depth"] == 2  # sales4, under director2 on page 2


# Access


def _account_pages(org) -> list[tuple[str, str]]:
    option = selectors.dictionary_options(org.boss, "industry").first()
    return [
        ("get", reverse("account-users")),
        ("get", reverse("account-user-create")),
        ("get", reverse("account-user-edit", args=[org.sales1.pk])),
        ("get", reverse("account-user-deactivate", args=[org.sales1.pk])),
        ("post", reverse("account-user-reactivate", args=[org.sales1.pk])),
        ("get", reverse("account-user-password", args=[org.sales1.pk])),
        ("get", reverse("account-company")),
        ("post", reverse("account-company-logo")),
        ("post", reverse("account-company-logo-remove")),
        ("get", reverse("account-settings")),
        ("get", reverse("account-dictionary")),
        ("get", reverse("account-dictionary-kind", args=["industry"])),
        ("post", reverse("account-dictionary-option-create", args=["industry"])),
        ("post", reverse("account-dictionary-reorder", args=["industry"])),
        ("get", reverse("account-dictionary-option-edit", args=[option.pk])),
        ("post", reverse("account-dictionary-option-toggle", args=[option.pk])),
        ("post", reverse("account-dictionary-option-delete", args=[option.pk])),
        ("post", reverse("account-dictionary-option-move", args=[option.pk])),
    ]


@pytest.mark.parametrize("who", ["vice_boss", "sales1"])
def test_non_admins_get_403_on_every_account_page(org, client_as, who):
    client = client_as(getattr(org, who))

    answers = {url: getattr(client, method)(url).status_code for method, url in _account_pages(org)}

    assert set(answers.values()) == {403}, answers


def test_403_page_is_friendly(org, client_as):
    response = client_as(org.sales1).get(reverse("account-users"))

    assert response.status_code == 403
    assert "You do not have permission to open this page." in response.content.decode()


def test_non_admin_posts_change_nothing(org, client_as):
    before = _company_count_users(org.company)
    client = client_as(org.vice_boss)

    created = client.post(reverse("account-user-create"), _user_data(superior=org.boss.pk))
    settings = client.post(reverse("account-settings"), {"hot_customer_cap": "99"})
    password = client.post(
        reverse("account-user-password", args=[org.sales1.pk]),
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert (created.status_code, settings.status_code, password.status_code) == (403, 403, 403)
    assert _company_count_users(org.company) == before
    assert Company.objects.get(pk=org.company.pk).hot_customer_cap == 10
    assert not User.objects.get(pk=org.sales1.pk).check_password(NEW_PASSWORD)


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get(reverse("account-users"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_other_companies_objects_and_missing_ids_are_404(org, other_org, client_as):
    client = client_as(org.boss)
    foreign_option = selectors.dictionary_options(other_org.boss, "industry").first()
    foreign_user = other_org.sales1
    pages = []
    for pk in (foreign_user.pk, 999_999):
        pages += [
            ("get", "account-user-edit", pk),
            ("post", "account-user-edit", pk),
            ("get", "account-user-deactivate", pk),
            ("post", "account-user-deactivate", pk),
            ("post", "account-user-reactivate", pk),
            ("get", "account-user-password", pk),
            ("post", "account-user-password", pk),
        ]
    for pk in (foreign_option.pk, 999_999):
        pages += [
            ("get", "account-dictionary-option-edit", pk),
            ("post", "account-dictionary-option-edit", pk),
            ("post", "account-dictionary-option-toggle", pk),
            ("post", "account-dictionary-option-delete", pk),
            ("post", "account-dictionary-option-move", pk),
        ]
    for kind_page in ("account-dictionary-kind", "account-dictionary-option-create"):
        pages.append(("get" if kind_page.endswith("kind") else "post", kind_page, "no-such-list"))
    pages.append(("post", "account-dictionary-reorder", "no-such-list"))

    answers = {
        (method, name, pk): getattr(client, method)(
            reverse(name, args=[pk]), {"password": NEW_PASSWORD, "label": "x"}
        ).status_code
        for method, name, pk in pages
    }

    assert set(answers.values()) == {404}, answers
    foreign_user.refresh_from_db()
    assert foreign_user.is_active is True
    assert not foreign_user.check_password(NEW_PASSWORD)
    assert DictionaryOption.objects.filter(pk=foreign_option.pk, is_active=True).exists()


# Company profile and logo


def test_company_profile_is_saved(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-company"),
        {
            "name": "阿尔法科技集团",
            "time_zone": "Asia/Tokyo",
            "contact_name": "李经理",
            "contact_email": "li@example.com",
            "contact_phone": "13800138000",
        },
    )

    assert response.status_code == 302
    company = Company.objects.get(pk=org.company.pk)
    assert (company.name, company.time_zone, company.contact_name, company.contact_email) == (
        "阿尔法科技集团",
        "Asia/Tokyo",
        "李经理",
        "li@example.com",
    )


def test_company_profile_defaults_to_shanghai_and_refuses_unknown_zones(org, client_as):
    client = client_as(org.boss)

    page = client.get(reverse("account-company"))
    response = client.post(
        reverse("account-company"),
        {"name": "新名字", "time_zone": "Mars/Olympus", "contact_phone": "12"},
    )

    assert page.context["form"]["time_zone"].value() == "Asia/Shanghai"
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert 'value="新名字"' in response.content.decode()
    company = Company.objects.get(pk=org.company.pk)
    assert (company.name, company.time_zone) == ("阿尔法科技有限公司", "Asia/Shanghai")


def test_company_profile_service_errors_land_on_their_field(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-company"),
        {"name": "阿尔法", "time_zone": "Asia/Shanghai", "contact_phone": "12"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["contact_phone"]
    assert Company.objects.get(pk=org.company.pk).name == "阿尔法科技有限公司"


def test_a_valid_png_logo_is_accepted_and_reencoded(org, client_as):
    original = _png_bytes()

    response = client_as(org.boss).post(
        reverse("account-company-logo"),
        {"logo": SimpleUploadedFile("logo.png", original, content_type="image/png")},
    )

    assert response.status_code == 302
    company = Company.objects.get(pk=org.company.pk)
    assert company.logo.name.startswith("logos/logo-alpha-")
    with company.logo.open("rb") as stored:
        data = stored.read()
    assert data != original
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("PNG", (480, 160))
    page = client_as(org.boss).get(reverse("account-company")).content.decode()
    assert f'src="{company.logo.url}"' in page


def _logo_with(client, name: str, content: bytes, content_type: str):
    return client.post(
        reverse("account-company-logo"),
        {"logo": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_bad_logos_are_refused_naming_the_logo_and_leave_it_unchanged(org, client_as):
    client = client_as(org.boss)
    _logo_with(client, "logo.png", _png_bytes(), "image/png")
    logo_before = Company.objects.get(pk=org.company.pk).logo.name
    noise = io.BytesIO()
    Image.frombytes("RGB", (1100, 1000), os.urandom(1100 * 1000 * 3)).save(noise, format="PNG")
    noise_bytes = noise.getvalue()
    assert len(noise_bytes) > 3 * 1024 * 1024
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    not_an_image = "This file is not a PNG, JPEG or WebP image (SVG is not accepted)."
    cases = [
        (("logo.png", b"just some text, honestly", "image/png"), not_an_image),
        (
            ("big.png", noise_bytes, "image/png"),
            f"The file is {len(noise_bytes) / 1024 / 1024:.1f} MB; at most 2 MB is accepted.",
        ),
        (("logo.svg", svg, "image/svg+xml"), not_an_image),
    ]

    for upload, message in cases:
        response = _logo_with(client, *upload)

        assert response.status_code == 200
        assert response.context["logo_form"].errors["logo"] == [message]
        html = response.content.decode()
        assert 'id="id_logo_errors"' in html
        assert Company.objects.get(pk=org.company.pk).logo.name == logo_before


def test_logo_can_be_removed(org, client_as):
    client = client_as(org.boss)
    _logo_with(client, "logo.png", _png_bytes(), "image/png")

    response = client.post(reverse("account-company-logo-remove"))

    assert response.status_code == 302
    assert not Company.objects.get(pk=org.company.pk).logo


# Modules in use


def test_settings_are_saved(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-settings"),
        {"uses_contracts": "on", "uses_opportunity_tracking": "on", "hot_customer_cap": "25"},
    )

    assert response.status_code == 302
    company = Company.objects.get(pk=org.company.pk)
    assert (
        company.uses_contracts,
        company.uses_orders,
        company.uses_customer_tracking,
        company.uses_opportunity_tracking,
        company.uses_inventory,
        company.hot_customer_cap,
    ) == (True, False, False, True, False, 25)


def test_settings_refusal_shows_the_message_and_changes_nothing(org, client_as):
    response = client_as(org.boss).post(
        reverse("account-settings"),
        {"uses_customer_tracking": "on", "uses_inventory": "on", "hot_customer_cap": "2000"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["uses_contracts"] == ["Use contracts, orders or both: at least one must stay on."]
    assert errors["hot_customer_cap"] == ["Enter a whole number from 1 to 1000."]
    company = Company.objects.get(pk=org.company.pk)
    assert (company.uses_contracts, company.uses_inventory, company.hot_customer_cap) == (
        True,
        False,
        10,
    )


def test_demo_company_admin_cannot_change_settings(org, client_as):
    org.company.plan = Company.Plan.DEMO
    org.company.save()
    client = client_as(org.boss)
    demo_message = "This is the public demo: passwords and account settings cannot be changed."

    settings = client.post(
        reverse("account-settings"),
        {"uses_contracts": "on", "uses_customer_tracking": "on", "hot_customer_cap": "3"},
    )
    profile = client.post(
        reverse("account-company"), {"name": "Hacked", "time_zone": "Asia/Shanghai"}
    )
    logo = _logo_with(client, "logo.png", _png_bytes(), "image/png")

    assert settings.status_code == 200
    assert settings.context["form"].non_field_errors() == [demo_message]
    assert profile.context["form"].non_field_errors() == [demo_message]
    assert logo.context["logo_form"].non_field_errors() == [demo_message]
    assert demo_message in settings.content.decode()
    company = Company.objects.get(pk=org.company.pk)
    assert (company.uses_orders, company.hot_customer_cap, company.name, company.logo.name) == (
        True,
        10,
        "阿尔法科技有限公司",
        "",
    )


# Data dictionary


def _labels(user, kind) -> list[str]:
    return [o.display_label for o in selectors.dictionary_options(user, kind)]


def test_dictionary_pages_list_the_lists_and_their_options(org, client_as):
    client = client_as(org.boss)

    index = client.get(reverse("account-dictionary"))
    kind = client.get(reverse("account-dictionary-kind", args=["customer_type"]))

    assert index.status_code == 200
    listed = {row["kind"]: (row["active"], row["total"]) for row in index.context["lists"]}
    assert listed["customer_type"] == (5, 5)
    assert listed["opportunity_stage"] == (5, 5)
    assert [o.display_label for o in kind.context["options"]] == [
        "VIP customer",
        "Regular customer",
        "Potential customer",
        "Partner",
        "Lost customer",
    ]


def test_an_option_added_in_one_company_stays_there(org, other_org, client_as):
    response = client_as(org.boss).post(
        reverse("account-dictionary-option-create", args=["industry"]), {"label": "农业"}
    )

    assert response.status_code == 302
    assert _labels(org.boss, "industry")[-1] == "农业"
    assert "农业" not in _labels(other_org.boss, "industry")
    page = client_as(other_org.boss).get(reverse("account-dictionary-kind", args=["industry"]))
    assert "农业" not in page.content.decode()


def test_opportunity_stage_options_take_a_probability(org, client_as):
    client = client_as(org.boss)
    url = reverse("account-dictionary-option-create", args=["opportunity_stage"])

    added = client.post(url, {"label": "Pilot", "probability": "60"})
    refused = client.post(url, {"label": "Dream", "probability": "150"})

    assert added.status_code == 302
    stage = selectors.dictionary_options(org.boss, "opportunity_stage").get(label="Pilot")
    assert stage.probability == 60
    assert refused.status_code == 200
    assert refused.context["form"].errors["probability"] == [
        "Enter a whole percentage from 0 to 100."
    ]
    assert 'value="Dream"' in refused.content.decode()
    assert not selectors.dictionary_options(org.boss).filter(label="Dream").exists()


def test_a_duplicate_label_is_refused_on_the_label_field(org, client_as):
    before = selectors.dictionary_options(org.boss, "industry").count()

    response = client_as(org.boss).post(
        reverse("account-dictionary-option-create", args=["industry"]), {"label": "logistics"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["label"] == ["logistics is already in this list."]
    assert selectors.dictionary_options(org.boss, "industry").count() == before


def test_rename_deactivate_and_reactivate_an_option(org, client_as):
    client = client_as(org.boss)
    option = selectors.dictionary_options(org.boss, "customer_source").get(code="website")

    renamed = client.post(
        reverse("account-dictionary-option-edit", args=[option.pk]), {"label": "官网"}
    )
    option.refresh_from_db()
    assert (renamed.status_code, option.label, option.display_label) == (302, "官网", "官网")

    client.post(reverse("account-dictionary-option-toggle", args=[option.pk]))
    option.refresh_from_db()
    assert option.is_active is False
    assert "官网" not in [
        o.display_label
        for o in selectors.dictionary_options(org.boss, "customer_source", active_only=True)
    ]

    client.post(reverse("account-dictionary-option-toggle", args=[option.pk]))
    option.refresh_from_db()
    assert option.is_active is True


def test_saving_an_unchanged_builtin_label_keeps_it_translatable(org, client_as):
    option = selectors.dictionary_options(org.boss, "customer_source").get(code="website")

    client_as(org.boss).post(
        reverse("account-dictionary-option-edit", args=[option.pk]), {"label": "Website"}
    )

    option.refresh_from_db()
    assert option.label == ""


def test_reorder_moves_options_up_and_down(org, client_as):
    client = client_as(org.boss)
    partner = selectors.dictionary_options(org.boss, "customer_type").get(code="partner")
    vip = selectors.dictionary_options(org.boss, "customer_type").get(code="vip")

    client.post(reverse("account-dictionary-option-move", args=[partner.pk]), {"direction": "up"})
    assert _labels(org.boss, "customer_type") == [
        "VIP customer",
        "Regular customer",
        "Partner",
        "Potential customer",
        "Lost customer",
    ]
    client.post(reverse("account-dictionary-option-move", args=[vip.pk]), {"direction": "down"})
    assert _labels(org.boss, "customer_type")[:2] == ["Regular customer", "VIP customer"]
    # the first option cannot go further up: nothing changes
    first = selectors.dictionary_options(org.boss, "customer_type").first()
    client.post(reverse("account-dictionary-option-move", args=[first.pk]), {"direction": "up"})
    assert _labels(org.boss, "customer_type")[:2] == ["Regular customer", "VIP customer"]


def test_reorder_takes_a_whole_order(org, other_org, client_as):
    options = list(selectors.dictionary_options(org.boss, "invoice_type"))
    client = client_as(org.boss)

    client.post(
        reverse("account-dictionary-reorder", args=["invoice_type"]),
        {"order": [o.pk for o in reversed(options)]},
    )
    foreign = selectors.dictionary_options(other_org.boss, "invoice_type").first()
    refused = client.post(
        reverse("account-dictionary-reorder", args=["invoice_type"]),
        {"order": [foreign.pk]},
        follow=True,
    )

    assert _labels(org.boss, "invoice_type") == [
        "Receipt",
        "VAT ordinary invoice",
        "VAT special invoice",
    ]
    assert "The order lists unknown options." in refused.content.decode()
    assert _labels(other_org.boss, "invoice_type") == [
        "VAT special invoice",
        "VAT ordinary invoice",
        "Receipt",
    ]


def test_a_custom_option_can_be_deleted(org, client_as):
    option = services.dictionary_option_create(actor=org.boss, kind="industry", label="农业")

    response = client_as(org.boss).post(
        reverse("account-dictionary-option-delete", args=[option.pk])
    )

    assert response.status_code == 302
    assert not DictionaryOption.objects.filter(pk=option.pk).exists()


def test_a_builtin_option_cannot_be_deleted(org, client_as):
    option = selectors.dictionary_options(org.boss, "industry").get(code="it")

    response = client_as(org.boss).post(
        reverse("account-dictionary-option-delete", args=[option.pk]), follow=True
    )

    assert response.status_code == 200
    assert "Built-in options cannot be deleted; deactivate it instead." in (
        response.content.decode()
    )
    assert DictionaryOption.objects.filter(pk=option.pk, is_active=True).exists()


def test_the_last_active_option_cannot_be_deactivated(org, client_as):
    client = client_as(org.boss)
    options = list(selectors.dictionary_options(org.boss, "invoice_type"))
    for option in options[:-1]:
        services.dictionary_option_update(actor=org.boss, option=option, is_active=False)

    response = client.post(
        reverse("account-dictionary-option-toggle", args=[options[-1].pk]), follow=True
    )

    assert "A list keeps at least one active option." in response.content.decode()
    assert DictionaryOption.objects.get(pk=options[-1].pk).is_active is True


BOMB = png_declaring(13_000, 13_000)  # about 20 KB; 169 MB to 676 MB if it were decoded


def test_a_logo_declaring_too_many_pixels_is_refused_before_it_is_decoded(org, client_as):
    client = client_as(org.boss)
    _logo_with(client, "logo.png", _png_bytes(), "image/png")
    logo_before = Company.objects.get(pk=org.company.pk).logo.name
    assert len(BOMB) < 50 * 1024

    with peak_memory() as growth:
        response = _logo_with(client, "logo.png", BOMB, "image/png")

    assert response.status_code == 200
    assert response.context["logo_form"].errors["logo"] == [
        "The image is 13000 × 13000 pixels; at most 16,777,216 pixels (4096 × 4096) are accepted."
    ]
    assert Company.objects.get(pk=org.company.pk).logo.name == logo_before
    if growth[0] is not None:
        assert growth[0] < 40 * 1024 * 1024
