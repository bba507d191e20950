"""Monthly tallies of the dashboard's flows, kept by PostgreSQL itself.

The dashboard compares thirteen months of four flows (agreements signed, payments received,
new customers, follow-ups). Over a million customers and five million activities, counting
them for a boss reads a million rows a request. PostgreSQL keeps instead, per company, flow,
month and owner, the count and the amount of those rows (`MonthTally`), in triggers on the
four tables: a statement-level trigger per event, over its transition tables, so a bulk
transfer of ten thousand rows updates a tally row per (flow, month, owner) once, in the same
transaction as the change. Nothing in the application can write a row without its tally,
and nothing has to remember to.

- "owner" is the row's visibility owner (the customer's owner, copied onto each record;
  a customer's own `owner`), 0 for a row without one, so a manager's figures are the tallies
  of the owners in their line, and the records of customers shared with them are counted
  live (`workbench.selectors`).
- "month" is the calendar month of the company's time zone for a time (`created_at`,
  `occurred_at`), the month of the date for a date (`signed_on`, `paid_on`); changing the
  company's time zone recounts its tallies.
- SQLite (the embedded default, a small company) has no tallies: the dashboard counts there.

`rebuild(company_id=None)` recounts from the rows; `mismatches()` compares the tallies with
the rows (the `check_tallies` command, the benchmark's seed).
"""

from dataclasses import dataclass

from django.db import connection

TABLE = "workbench_monthtally"


@dataclass(frozen=True)
class Flow:
    name: str
    table: str
    owner: str  # the visibility owner's column
    when: str  # the time or date column
    is_time: bool  # a timestamp (month in the company's zone) or a date
    amount: str | None = None  # the summed column, if any
    condition: str = "TRUE"  # which rows count, on alias r

    def month(self, alias: str) -> str:
        column = f"{alias}.{self.when}"
        if self.is_time:
            column = f"({column} AT TIME ZONE c.time_zone)"
        return f"date_trunc('month', {column})::date"

    def value(self, alias: str) -> str:
        return f"{alias}.{self.amount}" if self.amount else "0"

    def where(self, alias: str) -> str:
        return self.condition.replace("r.", f"{alias}.")

    @property
    def columns(self) -> list[str]:
        """The columns whose change moves a row between tallies."""
        found = ["company_id", self.owner, self.when]
        if self.amount:
            found.append(self.amount)
        if "status" in self.condition:
            found.append("status")
        return found


FLOWS = (
    Flow(
        "signed",
        "agreements_agreement",
        "customer_owner_id",
        "signed_on",
        False,
        "amount",
        "r.status <> 'cancelled' AND r.signed_on IS NOT NULL",
    ),
    Flow("payments", "finance_payment", "customer_owner_id", "paid_on", False, "amount"),
    Flow("customers", "customers_customer", "owner_id", "created_at", True),
    Flow("activities", "activities_activity", "customer_owner_id", "occurred_at", True),
)
FLOW_NAMES = tuple(flow.name for flow in FLOWS)


def _contribution(flow: Flow, alias: str, rows: str, sign: int, extra: str = "") -> str:
    """SELECT of the tally keys and the signed count and amount of `rows` (as `alias`)."""
    return (
        f"SELECT {alias}.company_id AS company_id, '{flow.name}'::varchar AS flow, "
        f"{flow.month(alias)} AS month, COALESCE({alias}.{flow.owner}, 0) AS owner_key, "
        f"{sign} AS n, {sign} * {flow.value(alias)} AS a "
        f"FROM {rows} JOIN accounts_company c ON c.id = {alias}.company_id "
        f"WHERE {flow.where(alias)}{extra}"
    )


def _upsert(source: str) -> str:
    return (
        f"INSERT INTO {TABLE} AS t (company_id, flow, month, owner_key, count, amount) "
        f"SELECT company_id, flow, month, owner_key, SUM(n), SUM(a) FROM ({source}) AS moved "
        "GROUP BY company_id, flow, month, owner_key HAVING SUM(n) <> 0 OR SUM(a) <> 0 "
        "ON CONFLICT (company_id, flow, month, owner_key) DO UPDATE "
        "SET count = t.count + EXCLUDED.count, amount = t.amount + EXCLUDED.amount"
    )


def _function_sql(flow: Flow) -> str:
    changed = " OR ".join(f"o.{column} IS DISTINCT FROM n.{column}" for column in flow.columns)
    pairs = "old_rows o JOIN new_rows n ON n.id = o.id"
    update = (
        _contribution(flow, "o", pairs, -1, f" AND ({changed})")
        + " UNION ALL "
        + _contribution(flow, "n", pairs, 1, f" AND ({changed})")
    )
    return f"""
CREATE OR REPLACE FUNCTION banyan_tally_{flow.name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_upsert(_contribution(flow, "r", "new_rows r", 1))};
  ELSIF TG_OP = 'DELETE' THEN
    {_upsert(_contribution(flow, "r", "old_rows r", -1))};
  ELSE
    {_upsert(update)};
  END IF;
  RETURN NULL;
END $$;
"""


def _triggers_sql(flow: Flow) -> list[str]:
    name = f"banyan_tally_{flow.name}"
    return [
        f"DROP TRIGGER IF EXISTS {name}_ins ON {flow.table}",
        f"DROP TRIGGER IF EXISTS {name}_upd ON {flow.table}",
        f"DROP TRIGGER IF EXISTS {name}_del ON {flow.table}",
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {flow.table} REFERENCING NEW TABLE AS "
        f"new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {flow.table} REFERENCING OLD TABLE AS "
        f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {flow.table} REFERENCING OLD TABLE AS "
        f"old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


ZONE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION banyan_tally_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.time_zone IS DISTINCT FROM OLD.time_zone THEN
    DELETE FROM {TABLE} WHERE company_id = NEW.id;
    {"; ".join(_upsert(_contribution(flow, "r", flow.table + " r", 1, " AND r.company_id = NEW.id")) for flow in FLOWS)};
  END IF;
  RETURN NULL;
END $$;
"""  # noqa: E501


def install_sql() -> list[str]:
    statements = []
    for flow in FLOWS:
        statements.append(_function_sql(flow))
        statements += _triggers_sql(flow)
    statements.append(ZONE_FUNCTION)
    statements.append("DROP TRIGGER IF EXISTS banyan_tally_zone ON accounts_company")
    statements.append(
        "CREATE TRIGGER banyan_tally_zone AFTER UPDATE OF time_zone ON accounts_company "
        "FOR EACH ROW EXECUTE FUNCTION banyan_tally_zone()"
    )
    return statements


def uninstall_sql() -> list[str]:
    statements = ["DROP TRIGGER IF EXISTS banyan_tally_zone ON accounts_company"]
    for flow in FLOWS:
        name = f"banyan_tally_{flow.name}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name}_{event} ON {flow.table}"
            for event in ("ins", "upd", "del")
        ]
        statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    statements.append("DROP FUNCTION IF EXISTS banyan_tally_zone()")
    return statements


def in_use() -> bool:
    """Whether this database keeps the tallies (PostgreSQL)."""
    return connection.vendor == "postgresql"


def _recount_sql(company_id: int | None) -> list[str]:
    only = "" if company_id is None else f" AND r.company_id = {int(company_id)}"
    statements = [
        f"DELETE FROM {TABLE}"
        + ("" if company_id is None else f" WHERE company_id = {int(company_id)}")
    ]
    statements += [_upsert(_contribution(flow, "r", f"{flow.table} r", 1, only)) for flow in FLOWS]
    return statements


def install(schema_editor=None) -> None:
    """Create the triggers and count the tallies from the rows (a migration's step)."""
    if not in_use():
        return
    with connection.cursor() as cursor:
        for statement in install_sql():
            cursor.execute(statement)
    rebuild()


def rebuild(company_id: int | None = None) -> int:
    """Recount the tallies (of one company, or all) from the rows; how many tallies."""
    if not in_use():
        return 0
    with connection.cursor() as cursor:
        for statement in _recount_sql(company_id):
            cursor.execute(statement)
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return cursor.fetchone()[0]


def mismatches() -> dict[str, int]:
    """Per flow, how many (company, month, owner) tallies differ from a count of the rows."""
    if not in_use():
        return {}
    found = {}
    with connection.cursor() as cursor:
        for flow in FLOWS:
            counted = (
                f"SELECT company_id, month, owner_key, SUM(n) AS count, SUM(a) AS amount "
                f"FROM ({_contribution(flow, 'r', f'{flow.table} r', 1)}) AS rows "
                "GROUP BY company_id, month, owner_key"
            )
            kept = (
                f"SELECT company_id, month, owner_key, count, amount FROM {TABLE} "
                f"WHERE flow = '{flow.name}' AND (count <> 0 OR amount <> 0)"
            )
            cursor.execute(
                f"SELECT COUNT(*) FROM (({counted} EXCEPT {kept}) UNION ALL "
                f"({kept} EXCEPT {counted})) AS differing"
            )
            differing = cursor.fetchone()[0]
            if differing:
                found[flow.name] = differing
    return found
