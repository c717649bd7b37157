from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from eiphub.jobs.views import healthz

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("eiphub.accounts.urls")),
    path("api/v1/", include("eiphub.api_urls")),
    path("", include("eiphub.web.urls")),
    path("parks/", include("eiphub.registry.urls")),
    path("flows/", include("eiphub.flows.urls")),
    path("exchange/", include("eiphub.exchange.urls")),
    path("networks/", include("eiphub.networks.urls")),
    path("recp/", include("eiphub.recp.urls")),
    path("reports/", include("eiphub.reports.urls")),
    path("jobs/", include("eiphub.jobs.urls")),
    path("healthz", healthz, name="healthz"),
    path("monitoring/", include("eiphub.monitoring.urls")),
    path("finance/", include("eiphub.finance.urls")),
    path("programme/", include("eiphub.programme.urls")),
    path("notices/", include("eiphub.notices.urls")),
]
urlpatterns += static(settings.STATIC_URL)
