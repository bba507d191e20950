"""The shared form fields."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from banyan.accounts.models import User
from banyan.core.forms import UserChoiceField
from banyan.customers.forms import UserChoiceField as ColleagueChoiceField


def test_a_user_select_shows_each_user_with_their_role_in_the_active_language(org):
    field = UserChoiceField(queryset=User.objects.filter(company=org.company).order_by("path"))
    with translation.override("zh-hans"):
        by_key = {str(value): label for value, label in field.choices}
    assert by_key[str(org.sales1.pk)] == "sales1 (销售)"
    assert by_key[str(org.boss.pk)] == "王总 (老板)"
    english = {str(value): label for value, label in field.choices}
    assert english[str(org.manager1.pk)] == "manager1 (Manager)"
    assert field.label_from_instance(org.director1) == "director1 (Director)"


def test_a_user_select_reads_only_the_columns_its_labels_need(org):
    field = UserChoiceField(queryset=User.objects.filter(company=org.company))
    with CaptureQueriesContext(connection) as queries:
        choices = list(field.choices)
    assert len(choices) == User.objects.filter(company=org.company).count() + 1
    (read,) = [q["sql"] for q in queries if "COUNT(" not in q["sql"]]
    assert "password" not in read
    assert "path" not in read.split(" FROM ")[0]
    # the chosen user is still read whole
    assert field.clean(str(org.sales1.pk)).path == org.sales1.path


def test_a_colleague_select_shows_names_alone(org):
    field = ColleagueChoiceField(queryset=User.objects.filter(pk=org.sales1.pk))
    assert [label for _value, label in field.choices][1:] == ["sales1"]
