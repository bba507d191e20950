"""Open opportunities follow their owner's customers: when a user leaves with a successor,
and when a customer is transferred."""

from banyan.accounts.services import DEACTIVATION_HANDOVERS
from banyan.customers.services import TRANSFER_HOOKS
from banyan.opportunities.services import follow_customer_transfer, transfer_open_opportunities

DEACTIVATION_HANDOVERS.register(transfer_open_opportunities)
TRANSFER_HOOKS.register(follow_customer_transfer)
