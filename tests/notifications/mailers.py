"""A stand-in for the mail server, the one thing outside our walls that these tests fake."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakySMTPBackend(EmailBackend):
    """Django's test backend (mail lands in ``mail.outbox``), except that the next ``failures``
    messages fail with ``error``, as an unreachable or refusing mail server would."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        if FlakySMTPBackend.failures > 0:
            FlakySMTPBackend.failures -= 1
            raise FlakySMTPBackend.error
        return super().send_messages(messages)
