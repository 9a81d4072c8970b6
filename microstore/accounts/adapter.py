from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from microstore.accounts.services import user_record_email_confirmed
from microstore.notifications import notify
from microstore.notifications.models import OutgoingEmail
from microstore.notifications.services import outgoing_email_create


class AccountAdapter(DefaultAccountAdapter):
    """allauth, customised: display names on sign-up, account mail through the outbox, and a
    welcome notification when a new member confirms their address.

    A slow or failing mail server must not slow down or break sign-up: the mail is rendered
    here, in the request (with its language and links), stored in the outbox and delivered by
    a retried task after the transaction commits (see microstore.notifications).
    """

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data["display_name"].strip()
        if commit:
            user.save()
        return user

    def login(self, request, user) -> None:
        """Log in, then move the anonymous cart of this session into the stored one."""
        from orders.selectors.cart import cart_count, cart_of
        from orders.services.cart import SESSION_COUNT_KEY, SESSION_KEY, cart_merge

        token = request.session.get(SESSION_KEY)
        super().login(request, user)
        request.session.pop(SESSION_KEY, None)
        if token:
            cart_merge(token=token, user=user)
        request.session[SESSION_COUNT_KEY] = cart_count(cart_of(user=user))

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
            "",
        )
        outgoing_email_create(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            from_email=message.from_email,
            headers=dict(message.extra_headers),
            kind=OutgoingEmail.KIND_ACCOUNT,
        )

    def confirm_email(self, request, email_address: EmailAddress) -> bool:
        # Only a member's first confirmed address earns a welcome, not a change of address.
        first = not (
            EmailAddress.objects.filter(user_id=email_address.user_id, verified=True)
            .exclude(pk=email_address.pk)
            .exists()
        )
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            user_record_email_confirmed(user=email_address.user)
        if confirmed and first:
            notify(recipient=email_address.user, kind="account.welcome")
        return confirmed
