"""Outbound webhooks and inbound signed messages for agencies' own systems.

Domain events land in the ``outbox`` in the transaction of the change they announce. Once an
agency subscribes, each outbox row also queues a ``relay`` job; the relay fans the event out
into one delivery per matching subscription, and ``webhook`` jobs post them, signed as
Standard Webhooks, outside any transaction. ``engine`` never imports this package.
"""
