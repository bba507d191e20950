"""Reads of the reports: which a user may open, and a report's figures as the page, the API
and the export show them. The figures themselves come from each report's `compute`, which
starts from the owning apps' `visible_*` selectors (see `registry`)."""

import datetime
from decimal import Decimal

from banyan.accounts.models import User
from banyan.core.errors import NotFound
from banyan.reports.registry import Column, Report, ReportQuery, ReportResult, report_named


def get_report_for(user: User, name: str) -> Report:
    """The report called `name` if the user may open it; NotFound otherwise."""
    report = report_named(name)
    if report is None or not report.allowed(user):
        raise NotFound()
    return report


def plain(value):
    """A figure as JSON carries it: money (Decimal) as an exact string, a day as ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def report_data(report: Report, query: ReportQuery, result: ReportResult, columns=None) -> dict:
    """The API's answer (the contract): name, from, to, group_by, columns, rows, totals."""
    columns = columns if columns is not None else report.columns(query)
    return {
        "name": report.name,
        "from": query.date_from.isoformat(),
        "to": query.date_to.isoformat(),
        "group_by": query.group_by,
        "columns": [column.as_dict() for column in columns],
        "rows": [plain(row) for row in result.rows],
        "totals": plain(result.totals),
    }


def table_rows(columns: list[Column], rows: list[dict]) -> list[dict]:
    """Rows for a template: each a list of cells {column, value, link} in column order, and
    the row's drill-down."""
    table = []
    for row in rows:
        links = row.get("links") or {}
        table.append(
            {
                "drilldown": row.get("drilldown"),
                "cells": [
                    {"column": column, "value": row.get(column.key), "link": links.get(column.key)}
                    for column in columns
                ],
            }
        )
    return table
