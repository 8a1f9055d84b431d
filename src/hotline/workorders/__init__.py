"""Work orders in the service: the SQL store, the in-app inbox, the calendar and SLA policy
tables, and the escalation sweeper. The rules themselves live in the pure ``workorders`` package.

Modules, by role:

* ``mapping``   rows <-> domain values (``workorders.model``)
* ``store``     ``SqlWorkOrderStore``: ``workorders.ports.WorkOrderStore`` on SQLAlchemy
* ``notifier``  ``InboxNotifier``: ``workorders.ports.Notifier`` writing the in-app inbox
* ``rules``     the calendar and SLA policies from their tables, seeding, edits, a small cache
* ``sweeper``   the supervised background loop that applies escalation steps
* ``queries``   the lists and the report's data
* ``actors``    the signed-in user as a ``workorders.Actor``
* ``errors``    domain errors -> HTTP errors
* ``schemas``   request and response bodies
* ``settings``  attachment limits, the notice channels (SMTP, webhook) and their retries
* ``attachments`` content sniffing and the file store of attachments
* ``delivery``  the outbox worker: e-mail and the webhook, retries with backoff
* ``inbox_watch`` wakes the live inbox streams when new inbox rows appear
* ``follow_up_calls`` writes a 回访 call's outcome into the order's history
"""
