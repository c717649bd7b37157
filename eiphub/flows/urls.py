from django.urls import path

from . import views, views_io

app_name = "flows"
urlpatterns = [
    path("entry/", views.entry, name="entry"),
    path("import/", views_io.import_page, name="import"),
    path("import/<int:pk>/", views_io.import_status, name="import_status"),
    path("templates/<str:kind>.<str:fmt>", views_io.template_download, name="template"),
    path("export/", views_io.export_download, name="export"),
]
