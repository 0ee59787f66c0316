"""Outbound webhooks and inbound signed messages for agencies' own systems.

Delivery is not built yet: domain events already land in the ``outbox`` table in the same
transaction as the change they announce, ready for a relay (see the webhooks issue).
"""
