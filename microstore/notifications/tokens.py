"""Signed unsubscribe tokens: whoever holds one may switch off one kind on one channel for one
user, and nothing else. Only the server can make them (``django.core.signing`` with a salt of
its own); they do not expire, because unsubscribe links in old mail must keep working."""

from dataclasses import dataclass

from django.core import signing

SALT = "microstore.notifications.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeRequest:
    user_id: int
    kind: str
    channel: str


class BadToken(ValueError):
    """The token was not made by us, was altered, or is not an unsubscribe token."""


def make_unsubscribe_token(*, user_id: int, kind: str, channel: str) -> str:
    return signing.dumps({"u": user_id, "k": kind, "c": channel}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> UnsubscribeRequest:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise BadToken("bad signature") from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("u"), int)
        and isinstance(data.get("k"), str)
        and isinstance(data.get("c"), str)
    ):
        raise BadToken("malformed payload")
    return UnsubscribeRequest(user_id=data["u"], kind=data["k"], channel=data["c"])
