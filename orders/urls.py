from django.urls import path

from orders.views import aftersales, buyer, cart, payments, seller

app_name = "orders"

SELLER = "stalls/<slug:shop_slug>/manage/orders/"
SELLER_ORDER = SELLER + "<str:number>/"
ORDER = "orders/<str:number>/"

urlpatterns = [
    # The cart and checkout (orders/views/cart.py)
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/", cart.cart_add, name="cart-add"),
    path("cart/lines/<int:variant_id>/", cart.cart_update, name="cart-update"),
    path("cart/lines/<int:variant_id>/remove/", cart.cart_remove, name="cart-remove"),
    path("cart/accept-changes/", cart.cart_accept_changes, name="cart-accept"),
    path("checkout/", cart.checkout, name="checkout"),
    path("checkout/<uuid:token>/", cart.checkout_done, name="checkout-done"),
    path("account/addresses/", cart.address_list, name="addresses"),
    path("account/addresses/new/", cart.address_add, name="address-add"),
    path("account/addresses/<int:pk>/", cart.address_edit, name="address-edit"),
    path("account/addresses/<int:pk>/delete/", cart.address_delete, name="address-delete"),
    path("account/addresses/<int:pk>/default/", cart.address_default, name="address-default"),
    # The buyer's orders (orders/views/buyer.py)
    path("orders/", buyer.order_list, name="list"),
    path(ORDER, buyer.order_detail, name="detail"),
    path(ORDER + "cancel/", buyer.order_cancel, name="cancel"),
    path(ORDER + "confirm-receipt/", buyer.order_confirm_receipt, name="confirm-receipt"),
    # Paying (orders/views/payments.py)
    path(ORDER + "pay/", payments.order_pay, name="pay"),
    path("pay/sandbox/<uuid:reference>/", payments.sandbox_gateway, name="sandbox-gateway"),
    path("payments/sandbox/callback/", payments.sandbox_callback, name="sandbox-callback"),
    path(
        "payments/sandbox/return/<uuid:reference>/", payments.sandbox_return, name="sandbox-return"
    ),
    # Returns and complaints, buyer side (orders/views/aftersales.py)
    path(ORDER + "return/", aftersales.return_request, name="return"),
    path(ORDER + "return/ship/", aftersales.return_ship, name="return-ship"),
    path(ORDER + "return/cancel/", aftersales.return_cancel, name="return-cancel"),
    path(ORDER + "complaint/", aftersales.dispute_open, name="dispute"),
    path(ORDER + "complaint/escalate/", aftersales.dispute_escalate, name="dispute-escalate"),
    path(ORDER + "complaint/withdraw/", aftersales.dispute_withdraw, name="dispute-withdraw"),
    # The stall's orders (orders/views/seller.py)
    path(SELLER, seller.order_list, name="seller-list"),
    path(SELLER + "export.csv", seller.order_export, name="seller-export"),
    path(SELLER_ORDER, seller.order_detail, name="seller-detail"),
    path(
        SELLER_ORDER + "confirm-payment/",
        seller.order_confirm_payment,
        name="seller-confirm-payment",
    ),
    path(SELLER_ORDER + "ship/", seller.order_ship, name="seller-ship"),
    path(SELLER_ORDER + "cancel/", seller.order_cancel, name="seller-cancel"),
    path(SELLER_ORDER + "refund/", seller.order_refund, name="seller-refund"),
    path(SELLER_ORDER + "packing-slip/", seller.packing_slip, name="seller-packing-slip"),
    # Returns and complaints, seller side (orders/views/aftersales.py)
    path(
        SELLER_ORDER + "return/accept/",
        aftersales.seller_return_accept,
        name="seller-return-accept",
    ),
    path(
        SELLER_ORDER + "return/refuse/",
        aftersales.seller_return_refuse,
        name="seller-return-refuse",
    ),
    path(
        SELLER_ORDER + "return/received/",
        aftersales.seller_return_received,
        name="seller-return-received",
    ),
    path(
        SELLER_ORDER + "complaint/answer/",
        aftersales.seller_dispute_answer,
        name="seller-dispute-answer",
    ),
    path(
        SELLER_ORDER + "complaint/escalate/",
        aftersales.seller_dispute_escalate,
        name="seller-dispute-escalate",
    ),
]
