from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.park_list, name="park_list"),
    path("<str:code>/", views.park_detail, name="park_detail"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
]
