"""Placeholder."""

from django.utils.translation import gettext as _

from banyan.imports.importers.base import ImportRefused


def plan_stock(**kwargs):
    raise ImportRefused(_("This kind of import is not available yet."))


def write_stock(**kwargs):
    raise ImportRefused(_("This kind of import is not available yet."))


def revert_stock(**kwargs):
    return []
