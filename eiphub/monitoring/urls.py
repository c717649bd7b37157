from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.board, name="board"),
    path("alerts/", views.alerts, name="alerts"),
    path("parks/<str:code>/", views.park, name="park"),
    path("parks/<str:code>/report.<str:fmt>", views.report, name="report"),
    path("stations/<str:code>/", views.station, name="station"),
    path("stations/<str:code>/token/", views.station_token, name="station_token"),
    path("stations/<str:code>/upload/", views.upload, name="upload"),
]
