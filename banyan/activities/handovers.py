"""Open tasks follow their assignee's customers: when a customer is transferred, and when a
user leaves with a successor."""

from banyan.accounts.services import DEACTIVATION_HANDOVERS
from banyan.activities.services import follow_customer_transfer, hand_over_open_tasks
from banyan.customers.services import TRANSFER_HOOKS

DEACTIVATION_HANDOVERS.register(hand_over_open_tasks)
TRANSFER_HOOKS.register(follow_customer_transfer)
