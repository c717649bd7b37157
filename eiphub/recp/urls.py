from django.urls import path

from . import views

app_name = "recp"
urlpatterns = [
    path("", views.measure_list, name="measures"),
    path("new/", views.measure_create, name="measure_create"),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("ghg/", views.ghg_park, name="ghg"),
    path("ghg/enterprises/<int:pk>/", views.ghg_enterprise, name="ghg_enterprise"),
    path("results/", views.rollup, name="rollup"),
    path("decoupling/", views.decoupling, name="decoupling"),
]
