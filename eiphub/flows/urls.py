from django.urls import path

from . import views, views_io

app_name = "flows"
urlpatterns = [
    path("entry/", views.entry, name="entry"),
    path("checks/", views.checks, name="checks"),
    path("import/", views_io.import_page, name="import"),
    path("import/<int:pk>/", views_io.import_status, name="import_status"),
    path("import/<int:pk>/apply/", views_io.import_apply, name="import_apply"),
    path("import/<int:pk>/undo/", views_io.import_undo, name="import_undo"),
    path("import/history/", views_io.import_history, name="import_history"),
    path("templates/<str:kind>.<str:fmt>", views_io.template_download, name="template"),
    path("export/", views_io.export_download, name="export"),
]
