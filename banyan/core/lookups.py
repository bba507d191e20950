"""Text lookups for searches that a trigram index cannot answer.

PostgreSQL's trigram indexes (pg_trgm) find `LIKE '%word%'` through the word's three-character
pieces. A word of one or two characters (常见: 报价, 张三's 张三 is two) has none, so such an
index matches every row, and a planner that estimates otherwise reads the whole index and then
every row of the table. `text_contains(field, word)` asks through the index when the word is
long enough and otherwise through `icontains_scan`/`contains_scan`: the same test written so no
index applies, which lets the planner read the user's rows through the visibility index and
test each one (an indexed range scan with a limit).
"""

from django.db.models import CharField, Q, TextField
from django.db.models.lookups import Contains, IContains

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


def register() -> None:
    for field in (CharField, TextField):
        field.register_lookup(IContainsScan, lookup_name="icontains_scan")
        field.register_lookup(ContainsScan, lookup_name="contains_scan")


def scan_safe(lookup: str, word: str) -> str:
    """`lookup` (a path ending in `icontains` or `contains`) as the unindexed variant when `word`
    is too short for a trigram."""
    if len(word) >= TRIGRAM_LENGTH or not lookup.endswith("contains"):
        return lookup
    return f"{lookup}_scan"


def text_contains(field: str, word: str, *, lookup: str = "icontains") -> Q:
    """`field` contains `word` (case-insensitively by default), through a trigram index only
    where one can help."""
    return Q(**{scan_safe(f"{field}__{lookup}", word): word})
