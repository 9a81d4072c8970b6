from django.urls import path

from microstore.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_mark_all_read, name="mark-all-read"),
    path("settings/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<uuid:public_id>/", views.notification_open, name="open"),
    path("<uuid:public_id>/read/", views.notification_mark_read, name="mark-read"),
]
