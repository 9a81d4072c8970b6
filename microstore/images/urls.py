from django.urls import path

from microstore.images import views

app_name = "images"

urlpatterns = [
    # MEDIA_URL is "media/": renditions are served by the app itself, in DEBUG and production.
    path("media/<path:name>", views.media, name="media"),
    path("images/<uuid:image_id>/picture/", views.picture, name="picture"),
]
