"""The opportunity list, as the exports app writes it to .xlsx and CSV."""

from django.utils.translation import gettext_lazy as _

from banyan.exports.registry import (
    Column,
    ExportKind,
    choice_labels,
    option_column,
    register,
    rows_of_list_api,
    user_column,
)
from banyan.opportunities import selectors
from banyan.opportunities.api import OpportunityViewSet
from banyan.opportunities.forms import OpportunityFilterForm
from banyan.opportunities.models import Opportunity

register(
    ExportKind(
        key="opportunities",
        label=_("Opportunities"),
        list_url_name="opportunity-list",
        page_rows=lambda user, query: selectors.opportunity_list(
            user, **OpportunityFilterForm(query or None, user=user).filters()
        ),
        api_rows=rows_of_list_api(OpportunityViewSet),
        columns=(
            Column("id", _("ID"), "id"),
            Column("name", _("Name"), "name"),
            Column("customer", _("Customer"), "customer_name"),
            option_column("stage", _("Stage"), "stage"),
            Column("probability", _("Probability (%)"), "probability"),
            Column("expected_amount", _("Expected amount"), "expected_amount"),
            Column("expected_close_date", _("Expected close"), "expected_close_date"),
            Column("status", _("Status"), "status", choice_labels(Opportunity.Status)),
            Column("next_step", _("Next step"), "next_step"),
            Column("competitors", _("Competitors"), "competitors"),
            user_column("owner", _("Owner"), "owner"),
            Column("closed_at", _("Closed at"), "closed_at"),
            Column("created_at", _("Created"), "created_at"),
        ),
    )
)
