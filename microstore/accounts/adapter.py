from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from microstore.queue import enqueue_on_commit
from microstore.tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    """allauth, customised: display names on sign-up, and account mail sent by Celery.

    A slow or failing mail server must not slow down or break sign-up: the mail is rendered
    here, in the request (with its language and links), and delivered by a retried task.
    """

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data["display_name"].strip()
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        html = next(
            (body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"),
            None,
        )
        enqueue_on_commit(
            send_email,
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=list(message.to),
            html=html,
        )
