from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("preferences/", views.preferences, name="preferences"),
]
