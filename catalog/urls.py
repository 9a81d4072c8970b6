from django.urls import path

from catalog import views

app_name = "catalog"

MANAGE = "stalls/<slug:shop_slug>/manage/goods/"
PRODUCT = MANAGE + "<slug:slug>/"

urlpatterns = [
    path("goods/", views.goods, name="goods"),
    path("goods/c/<slug:category_slug>/", views.goods, name="category"),
    path("stalls/<slug:shop_slug>/goods/", views.shop_goods, name="shop-goods"),
    path("stalls/<slug:shop_slug>/goods/<slug:slug>/", views.product_detail, name="product"),
    path(MANAGE, views.product_manage_list, name="manage"),
    # Fixed paths before <slug>: "new" and "low-stock" are never product slugs.
    path(MANAGE + "new/", views.product_create, name="create"),
    path(MANAGE + "low-stock/", views.variant_low_stock, name="low-stock"),
    path(PRODUCT, views.product_edit, name="edit"),
    path(PRODUCT + "publish/", views.product_publish, name="publish"),
    path(PRODUCT + "unpublish/", views.product_unpublish, name="unpublish"),
    path(PRODUCT + "duplicate/", views.product_duplicate, name="duplicate"),
    path(PRODUCT + "stock/", views.product_stock, name="stock"),
]
