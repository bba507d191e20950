"""The unindexed text lookups answer exactly as Django's own, on SQLite and PostgreSQL."""

import pytest
from django.db.models import Q

from banyan.core.lookups import scan_safe, text_contains
from banyan.customers.models import Customer

pytestmark = pytest.mark.django_db

WORDS = ["沃", "沃力", "沃力科", "KJ", "kj", "%", "_", "a_b", "100%", "没有"]


@pytest.fixture
def customers(org, make_customer):
    for name in ["北京沃力科技", "上海KJ贸易", "a_b 工作室", "100% 纯净", "axb 公司"]:
        make_customer(org.sales1, name=name)
    return Customer.objects.filter(company=org.company)


@pytest.mark.parametrize("word", WORDS)
def test_the_scan_variants_match_what_django_matches(customers, word):
    def names(condition):
        return sorted(customers.filter(condition).values_list("name", flat=True))

    assert names(Q(name__icontains_scan=word)) == names(Q(name__icontains=word))
    assert names(Q(name__contains_scan=word)) == names(Q(name__contains=word))
    assert names(Q(name__icontains_grams=word)) == names(Q(name__icontains=word))
    assert names(Q(name__contains_grams=word)) == names(Q(name__contains=word))
    assert names(text_contains("name", word)) == names(Q(name__icontains=word))
    assert names(text_contains("name", word, grams=True)) == names(Q(name__icontains=word))


def test_only_words_too_short_for_a_trigram_avoid_the_index():
    assert scan_safe("name__icontains", "沃力") == "name__icontains_scan"
    assert scan_safe("customer__search_text__contains", "ab") == (
        "customer__search_text__contains_scan"
    )
    assert scan_safe("name__icontains", "沃力科") == "name__icontains"
    assert scan_safe("name__exact", "a") == "name__exact"


def test_the_scan_sql_is_not_the_indexed_expression(customers):
    indexed = str(customers.filter(name__icontains="沃力").query)
    scanned = str(customers.filter(name__icontains_scan="沃力").query)
    assert "|| ''" in scanned and "|| ''" not in indexed


def test_on_postgresql_the_gram_lookup_asks_the_gram_index(customers):
    from django.db import connection

    sql = str(customers.filter(name__icontains_grams="沃力").query)
    if connection.vendor == "postgresql":
        assert "banyan_grams(UPPER(" in sql and "LIKE" in sql
    else:
        assert "banyan_grams" not in sql


def test_a_contact_is_found_by_a_two_character_word_of_its_own_or_its_customers(org, make_customer):
    from banyan.customers import selectors, services

    customer = make_customer(org.sales1, name="沃力测试")
    services.contact_create(user=org.sales1, customer=customer, name="王伟")
    other = make_customer(org.sales1, name="别家公司")
    services.contact_create(user=org.sales1, customer=other, name="李娜")

    def names(search):
        return sorted(
            selectors.search_contacts(org.sales1, search=search).values_list("name", flat=True)
        )

    assert names("王伟") == ["王伟"]
    assert names("沃力") == ["王伟"]
    assert names("别家 李") == ["李娜"]
    assert names("王伟 别家") == []


def test_every_column_named_gram_indexed_has_its_gram_index(db):
    """A gram lookup on a column without the index would compute every row's pieces: the
    list of indexed columns and the migrations that build the indexes must agree."""
    from django.db import connection

    from banyan.core.lookups import GRAM_INDEXED

    if connection.vendor != "postgresql":
        pytest.skip("gram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%banyan_grams%'"
        )
        indexed = cursor.fetchall()
    for table, column in GRAM_INDEXED:
        assert any(
            found == table and "banyan_grams(" in definition and column in definition
            for found, definition in indexed
        ), (table, column)


def test_a_condition_holding_an_expression_is_read_and_rewritten():
    from django.db.models import Exists, OuterRef

    from banyan.core.lookups import unindexed, uses_grams

    expression = Exists(Customer.objects.filter(pk=OuterRef("pk")))
    condition = Q(expression) | Q(name__icontains_grams="沃力")
    assert uses_grams(condition)
    rewritten = unindexed(condition)
    assert not uses_grams(rewritten)
    assert ("name__icontains_scan", "沃力") in rewritten.children


def test_on_postgresql_the_planner_knows_how_many_rows_a_scanned_word_matches(org, make_customer):
    """Without statistics on the scan expression PostgreSQL guesses that half a percent of
    the rows hold any word, and reads a whole line of rows to sort them rather than walk
    them in list order (core.statistics)."""
    from django.db import connection

    from banyan.customers.models import Customer

    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    for number in range(40):
        make_customer(org.sales1, name=f"{'沃力' if number % 2 else '别家'}统计{number}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    rows = Customer.objects.filter(name__icontains_scan="沃力")
    plan = rows.explain(format="json")

    import json

    estimated = json.loads(plan)[0]["Plan"]["Plan Rows"]
    total = Customer.objects.count()
    assert total < 1000  # a guess of half a percent is a row or two
    assert estimated >= 4, (estimated, rows.count(), total)  # 20 match; a guess gives 1
