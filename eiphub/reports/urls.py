from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.scorecards, name="scorecards"),
    path("park/<str:code>/<str:pack_id>/<int:year>/", views.park_scorecard, name="park_scorecard"),
    path(
        "enterprise/<int:pk>/<int:year>/", views.enterprise_scorecard, name="enterprise_scorecard"
    ),
    path("benchmark/", views.benchmark, name="benchmark"),
    path("checklist/park/<str:code>/<int:year>/", views.checklist_park, name="checklist_park"),
    path(
        "checklist/enterprise/<int:pk>/<int:year>/",
        views.checklist_enterprise,
        name="checklist_enterprise",
    ),
    path(
        "declarations/park/<str:code>/<int:year>/",
        views.park_declarations,
        name="park_declarations",
    ),
    path(
        "declarations/enterprise/<int:pk>/<int:year>/",
        views.enterprise_declarations,
        name="enterprise_declarations",
    ),
    path("targets/<str:code>/", views.targets, name="targets"),
    path("annual/", views.report_list, name="report_list"),
    path("annual/new/", views.report_create, name="report_create"),
    path("annual/<int:pk>/", views.report_detail, name="report_detail"),
    path("annual/<int:pk>/values/", views.report_values, name="report_values"),
    path("annual/<int:pk>/transition/", views.report_transition, name="report_transition"),
    path("annual/<int:pk>/export.<str:fmt>", views.report_export, name="report_export"),
    path("annual/<int:pk>/confirm/", views.report_confirm, name="report_confirm"),
    path("annual/<int:pk>/evidence/", views.report_evidence, name="report_evidence"),
    path(
        "annual/<int:pk>/evidence/<int:eid>/",
        views.report_evidence_file,
        name="report_evidence_file",
    ),
    path(
        "annual/<int:pk>/evidence/<int:eid>/delete/",
        views.report_evidence_delete,
        name="report_evidence_delete",
    ),
    path("annual/<int:pk>/documents/", views.report_documents, name="report_documents"),
    path("review/", views.review_queue, name="review_queue"),
]
