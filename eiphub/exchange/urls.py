from django.urls import path

from . import views, views_nego

app_name = "exchange"
urlpatterns = [
    path("", views.listings, name="listings"),
    path("listings/new/", views.listing_create, name="listing_create"),
    path("listings/resolve/", views.resolve_preview, name="resolve"),
    path("listings/from-flows/", views.from_flows, name="from_flows"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="listing_edit"),
    path("matches/", views.matches, name="matches"),
    path("matches/run/", views.run, name="run"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/do/<str:action>/", views.match_action, name="match_action"),
    path("matches/<int:pk>/agreement/", views.agreement_create, name="agreement_create"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/do/<str:action>/", views.agreement_action, name="agreement_action"),
    path("agreements/<int:pk>/contract.docx", views.contract, name="contract"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("investors/", views.investors, name="investors"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    # issue 17: licensed handlers and trust records
    path("handlers/", views_nego.handlers, name="handlers"),
    path("handlers/import/", views_nego.handlers_import, name="handlers_import"),
    path("agreements/<int:pk>/review/", views_nego.agreement_review, name="agreement_review"),
]

# issue 17: search, saved searches, evidence (exchange/views_search.py)
from . import views_search as VS  # noqa: E402

urlpatterns += [
    path("search/", VS.search_page, name="search"),
    path("searches/", VS.saved_searches, name="saved_searches"),
    path("searches/<int:pk>/delete/", VS.saved_search_delete, name="saved_search_delete"),
    path("listings/<int:pk>/evidence/", VS.listing_evidence, name="listing_evidence"),
    path("listings/<int:pk>/renew/", VS.listing_renew, name="listing_renew"),
    path("attachments/<int:pk>/", VS.attachment, name="attachment"),
    path("attachments/<int:pk>/delete/", VS.attachment_delete, name="attachment_delete"),
]
