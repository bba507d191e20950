"""Text lookups for searches that a trigram index cannot answer.

PostgreSQL's trigram indexes (pg_trgm) find `LIKE '%word%'` through the word's three-character
pieces. A word of one or two characters (Chinese names and words mostly are: 王伟, 报价, 北京)
has none, so such an index matches every row, and a planner that estimates otherwise reads the
whole index and then every row of the table. For those words:

- `icontains_grams` / `contains_grams`: on PostgreSQL, the column's one- and two-character
  pieces (`banyan_grams(column)`, a function the customers' migration 0008 creates) must hold the
  word's, through a GIN index on that expression, and the row is then tested with LIKE. Only
  for columns that have such an index (GRAM_INDEXED); elsewhere the function would run on every
  row. On SQLite it is the plain lookup.
- `icontains_scan` / `contains_scan`: the plain test written so no index applies, which lets the
  planner read the user's rows through the visibility index and test each one (an indexed range
  scan with a limit).

`text_contains(field, word)` picks: the trigram index for a long word, the gram index where the
column has one, else the scan.
"""

from django.db.models import CharField, Field, Q, TextField
from django.db.models.lookups import Contains, IContains, In

# The shortest word with a trigram of its own in `LIKE '%word%'`.
TRIGRAM_LENGTH = 3


class _Unindexed:
    """The same SQL as the parent lookup, on an expression no index is built on."""

    def process_lhs(self, compiler, connection, lhs=None):
        sql, params = super().process_lhs(compiler, connection, lhs)
        return f"({sql} || '')", params


class IContainsScan(_Unindexed, IContains):
    pass


class ContainsScan(_Unindexed, Contains):
    pass


class _ThroughGrams:
    """On PostgreSQL: the LIKE, and the column's pieces hold the word's (the GIN index). The
    LIKE comes first: where the planner tests the condition on each row instead of asking
    the index (beside another side of an OR), the pieces are then computed only for the rows
    that match, not for every row read; an index reads its condition wherever it stands."""

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        word = f"UPPER({GRAM_WORD})" if self.lookup_name == "icontains" else GRAM_WORD
        return (
            f"({sql} AND banyan_grams({lhs_sql}) @> banyan_grams({word}))",
            [*params, *lhs_params, str(self.rhs)],
        )


GRAM_WORD = "%s::text"


class IContainsGrams(_ThroughGrams, IContains):
    pass


class ContainsGrams(_ThroughGrams, Contains):
    pass


# (table, column) with a GIN index on their pieces (customers' migration 0008): the lookup
# written for each is the index's expression.
GRAM_INDEXED = {
    ("customers_contact", "search_text"),  # contains: banyan_grams(search_text::text)
    ("customers_customer", "name"),  # icontains: banyan_grams(UPPER(name::text))
    ("agreements_agreement", "number"),
    ("agreements_agreement", "title"),
    ("finance_payment", "note"),
    ("finance_invoice", "number"),
    ("finance_invoice", "title"),
    ("opportunities_opportunity", "name"),
}


class InArray(In):
    """`field__in_array=[…]`: `field IN (…)` that PostgreSQL receives as `field = ANY(%s)`
    with the list as one array parameter. The same plan (the index reads each value), but a
    list of thousands of keys (an import's duplicate check) is one parameter to send instead
    of a query thousands of placeholders long to compose and parse."""

    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            return self.as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        return f"{lhs_sql} = ANY(%s)", [*lhs_params, [v for v in values if v is not None]]


def register() -> None:
    Field.register_lookup(InArray)
    for field in (CharField, TextField):
        field.register_lookup(IContainsScan, lookup_name="icontains_scan")
        field.register_lookup(ContainsScan, lookup_name="contains_scan")
        field.register_lookup(IContainsGrams, lookup_name="icontains_grams")
        field.register_lookup(ContainsGrams, lookup_name="contains_grams")


def scan_safe(lookup: str, word: str, *, grams: bool = False) -> str:
    """`lookup` (a path ending in `icontains` or `contains`) as the gram variant (`grams`: the
    column has a gram index) or the unindexed one when `word` is too short for a trigram."""
    if len(word) >= TRIGRAM_LENGTH or not lookup.endswith("contains"):
        return lookup
    return f"{lookup}_grams" if grams else f"{lookup}_scan"


def text_contains(field: str, word: str, *, lookup: str = "icontains", grams: bool = False) -> Q:
    """`field` contains `word` (case-insensitively by default), through a trigram index only
    where one can help, through the gram index where the column has one (`grams`)."""
    return Q(**{scan_safe(f"{field}__{lookup}", word, grams=grams): word})


def unindexed(condition: Q) -> Q:
    """`condition` with its gram lookups as scans: for a word so common that reading the rows in
    list order finds a page at once, where fetching every match through the index would not."""
    rewritten = Q()
    rewritten.connector, rewritten.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            rewritten.children.append(unindexed(child))
        elif _is_gram_lookup(child):
            rewritten.children.append((child[0].removesuffix("_grams") + "_scan", child[1]))
        else:
            rewritten.children.append(child)
    return rewritten


def uses_grams(condition: Q) -> bool:
    """Whether `condition` asks a gram index anywhere."""
    return any(
        uses_grams(child) if isinstance(child, Q) else _is_gram_lookup(child)
        for child in condition.children
    )


def _is_gram_lookup(child) -> bool:
    # A Q's children are (lookup, value) pairs or expressions; only pairs name a lookup.
    return isinstance(child, tuple) and child[0].endswith("contains_grams")
