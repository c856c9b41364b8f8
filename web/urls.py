"""The caseworker app's pages, at the site's root."""

from django.urls import path, re_path

from web import views

app_name = "web"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<uuid:pk>/", views.service, name="service"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline_shell, name="offline-shell"),
    re_path(r"^offline/places/(?P<country>[A-Za-z]{2})\.json$", views.country_places, name="country-places"),
]
