"""Verification: a seller asks, an admin decides in the Django admin, shoppers see the badge."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from microstore.accounts.models import User
from microstore.notifications.models import Notification
from shops import services
from shops.models import ShopEvent, Verification
from tests.factories import ShopFactory, UserFactory
from tests.shops.conftest import ID_NUMBER, LICENCE, png_bytes

pytestmark = pytest.mark.django_db

PAGE = reverse("shops:verification")


@pytest.fixture
def shop(owner):
    return ShopFactory(name="Anxi tea", owner=owner)


def licence_photo(name="licence.png"):
    return SimpleUploadedFile(name, png_bytes(900, 700), content_type="image/png")


def ask_identity(client, **overrides):
    data = {"kind": "identity", "identity-real_name": "高建国", "identity-id_number": ID_NUMBER}
    return client.post(PAGE, data | overrides)


def ask_business(client, document=None, **overrides):
    data = {
        "kind": "business",
        "business-business_name": "安溪县老高茶叶专业合作社",
        "business-licence_number": LICENCE,
        "business-document": document or licence_photo(),
    }
    return client.post(PAGE, data | overrides)


def admin_action(client, model, action, objects, **fields):
    """Run an admin action through its intermediate page, as an admin clicking would."""
    url = reverse(f"admin:shops_{model}_changelist")
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
    return client.post(url, data | ({"apply": "Confirm"} | fields if fields is not None else {}))


def test_the_seller_asks_the_admin_approves_and_shoppers_see_a_dated_badge(
    client, owner, shop, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    asked = ask_identity(client, **{"identity-id_number": ID_NUMBER.lower()})
    page = client.get(PAGE)

    assert asked.status_code == 302
    assert "is waiting for a moderator" in page.text
    assert "Identity verified" not in client.get(shop.get_absolute_url()).text

    client.force_login(admin_user)
    waiting = client.get(reverse("admin:shops_verification_changelist"), {"status": "pending"})
    assert "Anxi tea" in waiting.text
    request = Verification.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(client, "verification", "approve", [request], note="")

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Verification.Status.APPROVED
    assert request.id_number == ID_NUMBER  # the lower-case x was normalised
    assert request.expires_at.date() == (timezone.now() + timedelta(days=365)).date()
    stall_page = client.get(shop.get_absolute_url()).text
    assert "Identity verified" in stall_page
    assert timezone.localdate().strftime("%Y") in stall_page  # "since <date>"
    assert ID_NUMBER not in stall_page and "高建国" not in stall_page  # private
    notification = Notification.objects.get(recipient=owner)
    assert notification.kind == "shops.verification_approved"
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Your identity is verified" in mail.outbox[0].body
    assert ShopEvent.objects.filter(
        shop=shop, action=ShopEvent.Action.VERIFICATION_APPROVED, actor=admin_user
    ).exists()


def test_a_rejection_needs_a_reason_and_the_seller_reads_it(
    client, owner, shop, admin_user, django_capture_on_commit_callbacks
):
    request = services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    client.force_login(admin_user)

    no_reason = admin_action(client, "verification", "reject", [request], reason="  ")
    request.refresh_from_db()
    assert no_reason.status_code == 400  # the form again, with its error
    assert "This field is required." in no_reason.text
    assert request.status == Verification.Status.PENDING

    reason = "The name does not match the ID card number."
    with django_capture_on_commit_callbacks(execute=True):
        admin_action(client, "verification", "reject", [request], reason=reason)

    request.refresh_from_db()
    assert request.status == Verification.Status.REJECTED
    assert request.decided_by == admin_user
    assert reason in mail.outbox[0].body
    client.force_login(owner)
    page = client.get(PAGE).text
    assert reason in page
    assert "Verify my identity" in page  # they can ask again
    assert ask_identity(client).status_code == 302


def test_an_expired_or_withdrawn_verification_shows_no_badge(
    client, owner, shop, admin_user, settings
):
    settings.SHOP_VERIFICATION_VALID_DAYS = 0  # expires the moment it is approved
    request = services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    services.verification_approve(verification=request, actor=admin_user)

    client.force_login(owner)
    assert "Identity verified" not in client.get(shop.get_absolute_url()).text
    assert "Your verification has expired" in client.get(PAGE).text

    settings.SHOP_VERIFICATION_VALID_DAYS = 365
    again = services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    services.verification_approve(verification=again, actor=admin_user)
    assert "Identity verified" in client.get(shop.get_absolute_url()).text

    services.verification_reject(verification=again, actor=admin_user, reason="Forged card.")
    assert "Identity verified" not in client.get(shop.get_absolute_url()).text


def test_a_valid_badge_can_be_renewed_only_near_its_end(owner, shop, admin_user, settings):
    request = services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    services.verification_approve(verification=request, actor=admin_user)

    with pytest.raises(services.DomainError, match="you can renew in the last 30 days"):
        services.verification_request(
            shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
        )
    settings.SHOP_VERIFICATION_RENEW_DAYS = 400
    services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"identity-id_number": ID_NUMBER[:-1] + "1"}, "has a typo"),
        ({"identity-id_number": "110105199902301234"}, "not a real date"),
        ({"identity-id_number": "12345"}, "18 characters"),
        ({"identity-real_name": ""}, "This field is required."),
        ({"kind": "passport"}, "Choose which verification you are asking for."),
    ],
)
def test_bad_identity_requests_say_what_is_wrong(client, owner, shop, data, message):
    client.force_login(owner)

    response = ask_identity(client, **data)

    assert response.status_code == 400
    assert message in response.text
    assert not Verification.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"business-licence_number": LICENCE[:-1] + "0"}, "has a typo"),
        ({"business-licence_number": "91350100I000100Y43"}, "other than I, O, S, V and Z"),
        (
            {"business-document": SimpleUploadedFile("licence.pdf", b"%PDF-1.7\n%\xe2\xe3")},
            "PDF",
        ),
        (
            {"business-document": SimpleUploadedFile("small.png", png_bytes(300, 300))},
            "600 px",
        ),
    ],
)
def test_bad_business_requests_say_what_is_wrong(client, owner, shop, overrides, message):
    client.force_login(owner)

    response = ask_business(client, **overrides)

    assert response.status_code == 400
    assert message in response.text
    assert not Verification.objects.exists()


def test_asking_twice_while_waiting_is_refused_politely(client, owner, shop):
    client.force_login(owner)
    ask_identity(client)

    again = ask_identity(client)

    assert again.status_code == 400
    assert "already waiting for review" in again.text
    assert Verification.objects.count() == 1


def test_the_licence_photo_is_private_and_only_admins_can_open_it(
    client, owner, shop, admin_user, settings
):
    client.force_login(owner)
    assert ask_business(client).status_code == 302
    request = Verification.objects.get()
    document_url = reverse("admin:shops_verification_document", args=[request.pk])

    stored = request.document.name
    assert not (settings.MEDIA_ROOT / stored).exists()
    assert (settings.PRIVATE_MEDIA_ROOT / stored).exists()
    assert "licence" not in stored  # the uploaded file name is never used
    assert client.get(f"/media/{stored}").status_code == 404
    assert client.get(document_url).status_code == 302  # the seller: off to the admin login

    staff = UserFactory(is_staff=True)  # staff, but not allowed to see verification requests
    client.force_login(staff)
    assert client.get(document_url).status_code in (403, 404)

    client.force_login(admin_user)
    response = client.get(document_url)
    change = client.get(reverse("admin:shops_verification_change", args=[request.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert change.status_code == 200
    assert document_url in change.text


def test_a_seller_without_a_stall_is_sent_to_open_one_and_sees_nobody_elses(
    client, owner, shop, stranger
):
    services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    client.force_login(stranger)

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("shops:open")
    assert client.post(PAGE, {"kind": "identity"}).status_code == 302
    other = ShopFactory(name="Other stall", owner=UserFactory())
    client.force_login(other.members.get().user)
    assert "高建国" not in client.get(PAGE).text


def test_decisions_on_a_request_are_idempotent_and_final(owner, shop, admin_user):
    request = services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    services.verification_reject(verification=request, actor=admin_user, reason="Blurry.")
    services.verification_reject(verification=request, actor=admin_user, reason="Blurry.")

    with pytest.raises(services.DomainError, match="Only a request that is waiting"):
        services.verification_approve(verification=request, actor=admin_user)
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_the_email_badge_carries_the_date_the_owner_confirmed(client, owner):
    User.objects.filter(pk=owner.pk).update(
        email_confirmed_at=timezone.make_aware(timezone.datetime(2025, 3, 8, 10))
    )
    shop = ShopFactory(owner=owner)

    text = client.get(shop.get_absolute_url()).text

    assert "Email confirmed" in text
    assert "2025" in text
    assert "identity has not been verified yet." in text


def test_staff_who_may_only_look_cannot_decide(client, owner, shop):
    from django.contrib.auth.models import Permission

    request = services.verification_request(
        shop=shop, actor=owner, kind="identity", real_name="高建国", id_number=ID_NUMBER
    )
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_verification"))
    client.force_login(viewer)

    listing = client.get(reverse("admin:shops_verification_changelist"))
    tried = admin_action(client, "verification", "approve", [request], note="")

    assert listing.status_code == 200 and "Anxi tea" in listing.text
    assert 'value="approve"' not in listing.text
    assert tried.status_code in (200, 302)
    request.refresh_from_db()
    assert request.status == Verification.Status.PENDING
