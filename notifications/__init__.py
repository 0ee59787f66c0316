"""Tell people of their work by email: assignment, reminder, overdue, escalation and replies.

Every outbox row queues a ``notify`` job once notifications are on (see `enable`). That job
decides who hears of the event (`audience`), honours each person's preferences, and stores
one notification per person with the facts its message is rendered from, in the worker's
transaction. A ``mail`` job then sends each immediate notification and a ``digest`` job each
person's daily summary, through SMTP or into a folder of ``.eml`` files, never inside a
transaction, retried with backoff and dead-lettered like webhook deliveries. The same
notifications are announced as ``notification.*`` events for agencies' chat bridges.
``engine`` never imports this package, and this package never imports the web layer.
"""
