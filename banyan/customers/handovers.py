"""When a user is deactivated with a successor, their customers go to the successor."""

from banyan.accounts.services import DEACTIVATION_HANDOVERS
from banyan.customers.services import transfer_all_customers

DEACTIVATION_HANDOVERS.register(transfer_all_customers)
