from django.urls import path

from . import views

app_name = "networks"
urlpatterns = [
    path("", views.index, name="index"),
    path("scenarios/new/", views.scenario_create, name="scenario_create"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/propose/", views.scenario_propose, name="scenario_propose"),
    path("compare/", views.compare, name="compare"),
    path("parks/<str:code>/", views.park, name="park"),
    path("parks/<str:code>/water/", views.water, name="water"),
    path("parks/<str:code>/heat/", views.heat, name="heat"),
    path("examples/<str:kind>.csv", views.example, name="example"),
]
