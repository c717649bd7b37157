from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("abatement/", views.macc_page, name="macc"),
    path("programmes/", views.programmes, name="programmes"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/stage/", views.project_stage, name="project_stage"),
    path("projects/<int:pk>/verify/", views.project_verify, name="project_verify"),
    path("projects/<int:pk>/sheet.<str:fmt>", views.project_export, name="project_export"),
]
