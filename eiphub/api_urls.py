from django.urls import path

from eiphub.api import api

urlpatterns = [path("", api.urls)]
