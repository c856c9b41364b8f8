"""The caseworker app's pages, at the site's root."""

from django.urls import path, re_path

from web import views, workspace

app_name = "web"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<uuid:pk>/", views.service, name="service"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline_shell, name="offline-shell"),
    path("my/listings/", workspace.my_listings, name="my-listings"),
    path("my/listings/<uuid:pk>/", workspace.listing, name="listing"),
    path("my/listings/<uuid:pk>/capacity/", workspace.change_capacity, name="change-capacity"),
    path("my/listings/<uuid:pk>/confirm/", workspace.confirm_listing, name="confirm-listing"),
    path("my/listings/<uuid:pk>/reports/<uuid:report_id>/", workspace.close_report, name="close-report"),
    path("my/listings/<uuid:pk>/history/", workspace.history, name="listing-history"),
    path("moderation/", workspace.desk, name="desk"),
    re_path(
        r"^moderation/(?P<kind>organizations|caseworkers)/(?P<pk>[0-9a-f-]{1,36})/(?P<decision>vet|refuse)/$",
        workspace.decide,
        name="decide",
    ),
    re_path(r"^offline/places/(?P<country>[A-Za-z]{2})\.json$", views.country_places, name="country-places"),
]
