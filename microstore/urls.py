from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from catalog import views as catalog_views
from microstore import views

# The admin logs in through allauth, so its log-in is rate-limited like everyone else's.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("microstore administration")
admin.site.site_title = _("microstore admin")

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", catalog_views.search, name="search"),  # the header's search box
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("microstore.accounts.urls")),
    path("", include("microstore.images.urls")),  # /media/… renditions, /images/… fragments
    path("notifications/", include("microstore.notifications.urls")),
    path("", include("shops.urls")),  # /stalls/…, /s/<code>/, /my-stall/, /following/
    path("", include("catalog.urls")),  # /stalls/<slug>/goods/…, /stalls/<slug>/manage/goods/…
    path("", include("orders.urls")),  # /cart/, /checkout/, /orders/…, …/manage/orders/
    path("", include("reviews.urls")),  # /reviews/…, /orders/<number>/lines/<id>/review/
    path("", include("microstore.sharing.urls")),  # /share/…, /account/shares/, …/manage/shares/
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
