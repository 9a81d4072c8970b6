from django.urls import path

from microstore.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/photo/", views.avatar_upload, name="avatar-upload"),
    path("profile/photo/remove/", views.avatar_remove, name="avatar-remove"),
]
