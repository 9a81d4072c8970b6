"""Notifications: one call tells a user something happened, in the app and by email.

Every app uses the one entry point::

    from microstore.notifications import notify

    notify(
        recipient=user,              # who hears about it
        kind="images.failed",        # a registered kind (see kinds.py)
        context={"purpose_label": "Stall logo", "reason": "..."},  # JSON-safe values only
        target=shop_or_None,         # has get_absolute_url(); the list and the mail link there
        actor=None,                  # the user who caused it, if any
    )  # -> Notification, or None if the user switched the in-app channel off for this kind

``notify`` runs in a transaction: it writes the in-app notification and, when the user gets this
kind by email (their preference, else the kind's default; essential kinds always) and has a
confirmed address, renders the mail at once and stores it in the outbox (``OutgoingEmail``). A
worker sends it after the transaction commits; if the broker is down then, the beat task
``sweep_outgoing_email`` sends it later. Retries never send a mail twice.

Adding a kind: ``register_kind(Kind(...))`` from your app's ``AppConfig.ready()``, then write
``templates/notifications/kinds/<key>.html`` (the sentence in the list) and
``templates/emails/<key>.subject.txt``, ``.txt`` and ``.html`` (extending ``emails/base.*``).
"""


def __getattr__(name: str):
    # Re-exported lazily: this package is imported while Django is still loading its apps,
    # before the models that services.notify needs can be imported.
    if name == "notify":
        from microstore.notifications.services import notify

        return notify
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
