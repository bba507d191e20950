import pytest
from django.urls import reverse

from banyan.customers.models import Contact
from banyan.messaging import services
from banyan.messaging.models import MessageTemplate, OutboxMessage, SmsLog


def sent_sms(user, count=1, body="您好"):
    """`count` SMS sent by `user` through the log backend; their log rows."""
    report = services.sms_send(
        user=user, body=body, recipients=[f"1380013{n:04d}" for n in range(count)]
    )
    for message in report.queued:
        services.send_pending(message.pk)
    return list(SmsLog.objects.filter(message__in=report.queued))


def contact(org, customer, name, **fields):
    return Contact.objects.create(company=org.company, customer=customer, name=name, **fields)


# The logs: who sees what ------------------------------------------------------------------


def test_the_sms_log_follows_the_reporting_line(org, other_org, client_as):
    own = sent_sms(org.sales1)[0]
    teammate = sent_sms(org.sales2)[0]
    elsewhere = sent_sms(org.sales3)[0]
    foreign = sent_sms(other_org.sales1)[0]

    def seen(user):
        page = client_as(user).get(reverse("sms-log")).content.decode()
        return {
            log.pk for log in (own, teammate, elsewhere, foreign) if f"sms-log-{log.pk}" in page
        }

    assert seen(org.sales1) == {own.pk}
    assert seen(org.manager1) == {own.pk, teammate.pk}
    assert seen(org.assistant) == {own.pk, teammate.pk}
    assert seen(org.director1) == {own.pk, teammate.pk, elsewhere.pk}
    assert seen(org.boss) == {own.pk, teammate.pk, elsewhere.pk}


def test_the_email_log_follows_the_reporting_line(org, client_as):
    report = services.email_send(
        user=org.sales1, subject="报价", body="请查收", recipients=["a@example.com"]
    )
    services.send_pending(report.queued[0].pk)

    assert "a@example.com" in client_as(org.manager1).get(reverse("email-log")).content.decode()
    assert "a@example.com" not in client_as(org.sales2).get(reverse("email-log")).content.decode()


@pytest.mark.parametrize("url_name", ["sms-log", "email-log", "message-template-list"])
def test_the_lists_run_a_fixed_number_of_queries(
    org, client_as, django_assert_max_num_queries, url_name
):
    client = client_as(org.manager1)
    sent_sms(org.sales1, 2)
    services.template_create(user=org.sales1, channel="sms", name="t1", body="x")
    services.email_send(user=org.sales1, subject="s", body="b", recipients=["e@example.com"])
    client.get(reverse(url_name))  # warm the session and caches

    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse(url_name)).status_code == 200
    sent_sms(org.sales2, 12)
    for n in range(12):
        services.template_create(user=org.sales2, channel="sms", name=f"more{n}", body="y")
        services.email_send(
            user=org.sales1, subject="s", body="b", recipients=[f"e{n}@example.com"]
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


# The SMS log is never changed or deleted -----------------------------------------------------


def test_no_page_changes_or_deletes_the_sms_log(org, client_as):
    log = sent_sms(org.sales1)[0]
    client = client_as(org.boss)

    for suffix in (f"{log.pk}/", f"{log.pk}/edit/", f"{log.pk}/delete/"):
        assert client.post(f"/messages/sms/{suffix}").status_code == 404
    assert client.post(reverse("sms-log"), {"status": "failed"}).status_code in (200, 405)

    log.refresh_from_db()
    assert log.status == "sent"
    assert SmsLog.objects.count() == 1


def test_the_admin_shows_the_sms_log_without_change_or_delete(org, client):
    from banyan.accounts.models import User

    log = sent_sms(org.sales1)[0]
    operator = User.objects.create_superuser("operator", "Operator-pass-2026")
    client.force_login(operator)

    assert client.get("/admin/messaging/smslog/").status_code == 200
    change = client.post(f"/admin/messaging/smslog/{log.pk}/change/", {"body": "changed"})
    delete = client.post(f"/admin/messaging/smslog/{log.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/messaging/smslog/",
        {"action": "delete_selected", "_selected_action": [log.pk], "post": "yes"},
    )

    assert change.status_code in (200, 403)  # read-only view at best
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)
    log.refresh_from_db()
    assert log.body == "您好"
    assert SmsLog.objects.count() == 1


# Sending -------------------------------------------------------------------------------------


def test_sending_to_one_customers_contacts(org, client_as, make_customer):
    customer = make_customer(org.sales1, name="沃力科技")
    good = contact(org, customer, "张三", mobile="13912345678")
    landline = contact(org, customer, "李四", phone="12345")
    client = client_as(org.sales1)
    url = reverse("sms-send") + f"?customer={customer.pk}"

    page = client.get(url)
    assert page.status_code == 200
    assert "张三" in page.content.decode() and "js/messaging.js" in page.content.decode()

    preview = client.post(
        url, {"contacts": [good.pk], "body": "{contact_name}您好" + "好" * 70, "preview": "1"}
    )
    assert "张三您好" in preview.content.decode()
    assert "74 characters, 2 messages" in preview.content.decode()
    assert not OutboxMessage.objects.exists()

    result = client.post(
        url, {"contacts": [good.pk, landline.pk], "body": "{contact_name}您好", "send": "1"}
    )
    body = result.content.decode()
    assert result.status_code == 200
    assert "1 message is on its way" in body
    assert "a mobile number has 11 digits" in body
    message = OutboxMessage.objects.get()
    assert (message.recipient, message.body, message.contact) == ("13912345678", "张三您好", good)


def test_a_template_fills_the_text_when_none_is_typed(org, client_as, make_customer):
    customer = make_customer(org.sales1, name="沃力科技")
    someone = contact(org, customer, "张三", mobile="13912345678")
    template = services.template_create(
        user=org.boss, channel="sms", name="问候", body="{contact_name}，{my_name}问候您"
    )

    client_as(org.sales1).post(
        reverse("sms-send") + f"?customer={customer.pk}",
        {"contacts": [someone.pk], "template": template.pk, "body": "", "send": "1"},
    )

    assert OutboxMessage.objects.get().body == "张三，sales1问候您"


def test_bulk_sending_to_the_contacts_of_several_customers(org, client_as, make_customer):
    first = make_customer(org.sales1, name="甲公司")
    second = make_customer(org.sales2, name="乙公司")
    contact(org, first, "甲", mobile="13912345678")
    contact(org, second, "乙", mobile="13812345678", email="yi@example.com")
    contact(org, second, "丙", mobile="12345")
    client = client_as(org.manager1)
    url = reverse("sms-send") + f"?customers={first.pk},{second.pk}"

    page = client.get(url)
    ids = [c.pk for c in Contact.objects.all()]
    result = client.post(url, {"contacts": ids, "body": "通知", "send": "1"})

    assert "甲公司" in page.content.decode() and "乙公司" in page.content.decode()
    assert "2 messages are on their way" in result.content.decode()
    assert "1 recipient was refused" in result.content.decode()
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == [
        "13812345678",
        "13912345678",
    ]

    email = client.post(
        reverse("email-send") + f"?customers={first.pk},{second.pk}",
        {"contacts": ids, "subject": "通知", "body": "您好", "send": "1"},
    )
    assert "1 message is on its way" in email.content.decode()
    assert "No e-mail address" in email.content.decode()


def test_a_customer_the_user_does_not_see_is_a_404(org, other_org, client_as, make_customer):
    mine = make_customer(org.sales1)
    teammates = make_customer(org.sales2)
    foreign = make_customer(other_org.sales1)
    client = client_as(org.sales1)

    assert client.get(reverse("sms-send") + f"?customer={teammates.pk}").status_code == 404
    assert client.get(reverse("sms-send") + f"?customer={foreign.pk}").status_code == 404
    assert (
        client.get(reverse("email-send") + f"?customers={mine.pk},{foreign.pk}").status_code == 404
    )
    assert client.get(reverse("sms-send") + "?customers=abc").status_code == 404
    assert client.get(reverse("sms-send")).status_code == 404
    assert client.get(reverse("sms-send") + f"?customer={mine.pk}").status_code == 200


def test_a_send_without_text_names_the_field(org, client_as, make_customer):
    customer = make_customer(org.sales1)
    someone = contact(org, customer, "张三", mobile="13912345678")

    response = client_as(org.sales1).post(
        reverse("email-send") + f"?customer={customer.pk}",
        {"contacts": [someone.pk], "subject": "", "body": "", "send": "1"},
    )

    assert response.status_code == 200
    assert "Write a subject" in response.content.decode()
    assert "Write the text of the message" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_send_page_runs_a_fixed_number_of_queries(
    org, client_as, make_customer, django_assert_max_num_queries
):
    client = client_as(org.boss)
    customers = [make_customer(org.sales1) for _ in range(2)]
    for customer in customers:
        contact(org, customer, "c", mobile="13912345678")

    def url():
        return reverse("sms-send") + "?customers=" + ",".join(str(c.pk) for c in customers)

    client.get(url())
    with django_assert_max_num_queries(14) as small:
        client.get(url())
    for _ in range(8):
        customer = make_customer(org.sales2)
        contact(org, customer, "c1", mobile="13912345678")
        contact(org, customer, "c2", mobile="13912345679")
        customers.append(customer)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url()).status_code == 200


# Templates -----------------------------------------------------------------------------------


def test_templates_are_created_and_edited_by_their_author_or_a_boss(org, client_as):
    client = client_as(org.sales1)

    response = client.post(
        reverse("message-template-create"),
        {"channel": "sms", "name": "问候", "body": "{contact_name}您好"},
    )
    template = MessageTemplate.objects.get()
    edit = reverse("message-template-edit", args=[template.pk])

    assert response.status_code == 302
    assert client_as(org.sales2).get(edit).status_code == 403
    assert client_as(org.boss).post(edit, {"name": "问候2", "body": "您好"}).status_code == 302
    template.refresh_from_db()
    assert (template.name, template.body, template.channel) == ("问候2", "您好", "sms")
    blank = client.post(reverse("message-template-create"), {"channel": "sms", "name": "x"})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()


def test_another_companys_template_is_a_404(org, other_org, client_as):
    template = services.template_create(user=other_org.boss, channel="sms", name="x", body="y")

    response = client_as(org.boss).get(reverse("message-template-edit", args=[template.pk]))

    assert response.status_code == 404


def test_the_menu_has_sms_and_email(org, client_as):
    page = client_as(org.sales1).get(reverse("sms-log")).content.decode()

    assert "bi-chat-dots" in page


def test_an_edit_link_shows_exactly_where_the_service_accepts_the_change(org, client_as):
    """A template is listed to the whole company, but only its author and a boss may change
    it: the list links to the edit page exactly for them, and following the link works."""
    from banyan.core.errors import PermissionRefused

    template = services.template_create(user=org.sales1, channel="sms", name="问候", body="您好")
    edit = reverse("message-template-edit", args=[template.pk])

    colleague = client_as(org.sales2).get(reverse("message-template-list")).content.decode()
    assert "问候" in colleague and edit not in colleague
    assert not services.can_edit_template(org.sales2, template)
    with pytest.raises(PermissionRefused):
        services.template_update(user=org.sales2, template=template, name="改", body="改")

    for user in (org.sales1, org.boss):
        client = client_as(user)
        assert edit in client.get(reverse("message-template-list")).content.decode()
        assert client.get(edit).status_code == 200
        assert client.post(edit, {"name": "问候", "body": "您好"}).status_code == 302
