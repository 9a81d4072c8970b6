"""Domain errors of the orders app; their messages are shown to people as they are."""

from django.utils.translation import gettext_lazy as _

from microstore.errors import DomainError
from orders.models import Action, Status


class InvalidTransition(DomainError):
    """The order's state does not allow this step (already shipped, not paid yet…)."""

    def __init__(self, status: str, action: str):
        self.status = status
        self.action = action
        super().__init__(
            _("This order is %(status)s: “%(action)s” is not possible now.")
            % {"status": Status(status).label, "action": Action(action).label}
        )


class NotAllowed(DomainError):
    """This person may not take this step on this order (a buyer shipping, a seller paying…)."""

    def __init__(self, action: str):
        self.action = action
        super().__init__(
            _("You cannot do this on this order: %(action)s.") % {"action": Action(action).label}
        )
