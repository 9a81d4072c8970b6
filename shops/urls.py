from django.urls import path

from shops import update_views, views, views_share

app_name = "shops"

urlpatterns = [
    path("stalls/open/", views.shop_open, name="open"),
    path("my-stall/", views.my_shop, name="mine"),
    path("my-stall/verification/", views.verification, name="verification"),
    path("following/", views.followed_list, name="followed"),
    path("s/<str:code>/", views.shop_short, name="short"),
    path("stalls/<slug:slug>/", views.shop_detail, name="detail"),
    path("stalls/<slug:slug>/qr.svg", views_share.shop_qr, name="qr"),
    path("stalls/<slug:slug>/card/", views_share.shop_card, name="card"),
    path(
        "stalls/<slug:slug>/goods/<slug:product>/qr.svg", views_share.product_qr, name="product-qr"
    ),
    path("stalls/<slug:slug>/follow/", views.shop_follow, name="follow"),
    path("stalls/<slug:slug>/unfollow/", views.shop_unfollow, name="unfollow"),
    path("stalls/<slug:slug>/manage/", views.shop_manage, name="manage"),
    path("stalls/<slug:slug>/manage/status/", views.shop_status, name="status"),
    path("stalls/<slug:slug>/manage/close/", views.shop_close, name="close"),
    # Stall updates and "My square" (shops/updates.py)
    path("square/mine/", update_views.square_mine, name="square-mine"),
    path("stalls/<slug:slug>/updates/", update_views.shop_updates, name="updates"),
    path("stalls/<slug:slug>/manage/updates/", update_views.update_manage, name="updates-manage"),
    path("stalls/<slug:slug>/mute/", update_views.shop_mute, name="mute"),
    path("stalls/<slug:slug>/unmute/", update_views.shop_unmute, name="unmute"),
    path("updates/<uuid:public_id>/report/", update_views.update_report, name="update-report"),
]
