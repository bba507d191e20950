"""The test companies are built once per module and shared (conftest.py): what one test
changes must be gone for the next, and each test gets its own fresh instances. The tests
below run in file order on one worker (`--dist loadscope`)."""

import pytest

from banyan.accounts.models import User
from banyan.customers.models import Customer

pytestmark = pytest.mark.django_db

seen = {}


def test_a_test_changes_the_shared_company(org, make_customer):
    seen["sales1"] = org.sales1
    seen["sales1_pk"] = org.sales1.pk
    User.objects.filter(pk=org.sales1.pk).update(real_name="改过的名字")
    org.sales1.real_name = "改在内存里"
    make_customer(org.sales1, name="只属于第一个测试")
    assert Customer.objects.filter(company=org.company).count() == 1


def test_the_next_test_sees_the_company_as_built(org):
    assert org.sales1.pk == seen["sales1_pk"]
    assert org.sales1 is not seen["sales1"]
    assert org.sales1.real_name == "sales1"
    assert User.objects.get(pk=org.sales1.pk).real_name == "sales1"
    assert not Customer.objects.filter(company=org.company).exists()


def test_the_other_company_asked_for_inside_a_test_is_built_and_separate(request, org):
    other = request.getfixturevalue("other_org")
    assert other.company.pk != org.company.pk
    assert other.company.code == "beta"
    assert (
        User.objects.filter(company=other.company).count()
        == User.objects.filter(company=org.company).count()
    )
