from django.urls import path

from shops import views

app_name = "shops"

urlpatterns = [
    path("stalls/open/", views.shop_open, name="open"),
    path("my-stall/", views.my_shop, name="mine"),
    path("my-stall/verification/", views.verification, name="verification"),
    path("following/", views.followed_list, name="followed"),
    path("s/<str:code>/", views.shop_short, name="short"),
    path("stalls/<slug:slug>/", views.shop_detail, name="detail"),
    path("stalls/<slug:slug>/follow/", views.shop_follow, name="follow"),
    path("stalls/<slug:slug>/unfollow/", views.shop_unfollow, name="unfollow"),
    path("stalls/<slug:slug>/manage/", views.shop_manage, name="manage"),
    path("stalls/<slug:slug>/manage/status/", views.shop_status, name="status"),
    path("stalls/<slug:slug>/manage/close/", views.shop_close, name="close"),
]
