from django.urls import path

from microstore.sharing import views

app_name = "sharing"

urlpatterns = [
    path("share/stalls/<slug:shop_slug>/", views.share_shop, name="share-shop"),
    path(
        "share/stalls/<slug:shop_slug>/goods/<slug:slug>/",
        views.share_product,
        name="share-product",
    ),
    path("share/<str:code>/", views.visit, name="visit"),
    path("account/shares/", views.mine, name="mine"),
    path("stalls/<slug:shop_slug>/manage/shares/", views.shop_shares, name="shop-shares"),
]
