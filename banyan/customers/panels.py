"""The panels the customers app contributes to the customer view."""
