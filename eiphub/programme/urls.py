from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.readiness, name="readiness"),
    path("recompute/", views.recompute, name="recompute"),
    path("investors/", views.prospect, name="prospect"),
    path("parks/<str:code>/investors/", views.park_investors, name="park_investors"),
    path("parks/<str:code>/sheet.<str:fmt>", views.sheet, name="sheet"),
]
