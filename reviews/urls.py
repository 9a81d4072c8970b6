from django.urls import path

from reviews import views

app_name = "reviews"

REVIEW = "reviews/<uuid:public_id>/"

urlpatterns = [
    path("orders/<str:number>/lines/<int:line_id>/review/", views.review_write, name="write"),
    path(REVIEW + "edit/", views.review_edit, name="edit"),
    path(REVIEW + "follow-up/", views.follow_up_add, name="follow-up"),
    path(REVIEW + "reply/", views.review_reply, name="reply"),
    path(REVIEW + "follow-up/reply/", views.follow_up_reply, name="follow-up-reply"),
    path(REVIEW + "helpful/", views.review_vote, name="vote"),
    path(REVIEW + "report/", views.review_report, name="report"),
]
