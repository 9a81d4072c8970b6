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
    path("account/shares/<str:code>/poster/", views.poster, name="poster"),
    path("account/shares/<str:code>/poster.png", views.poster_png, name="poster-png"),
    path("account/shares/<str:code>/", views.detail, name="detail"),
    path("account/shares/<str:code>/qr.svg", views.qr, name="qr"),
    path("stalls/<slug:shop_slug>/manage/shares/", views.shop_shares, name="shop-shares"),
]
