"""The caseworker app's pages, at the site's root."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy

from web import editing, members, views, workspace

app_name = "web"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<uuid:pk>/", views.service, name="service"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-up/", views.sign_up, name="sign-up"),
    # Password reset: Django's own flow (a signed, expiring link by email), in the app's pages.
    path("password-reset/", views.password_reset, name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/password_reset_new.html", success_url=reverse_lazy("web:password-reset-done")
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="web/password_reset_done.html"),
        name="password-reset-done",
    ),
    re_path(r"^sign-up/(?P<kind>organisation|caseworker)/$", views.sign_up, name="sign-up-as"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline_shell, name="offline-shell"),
    path("my/account/", workspace.account, name="account"),
    path("my/listings/", workspace.my_listings, name="my-listings"),
    path("my/listings/new/", editing.new_listing, name="new-listing"),
    path("my/listings/<uuid:pk>/", workspace.listing, name="listing"),
    path("my/listings/<uuid:pk>/details/", editing.edit_details, name="edit-details"),
    path("my/listings/<uuid:pk>/places/", editing.places, name="places"),
    path("my/listings/<uuid:pk>/places/new/", editing.edit_place, name="new-place"),
    path("my/listings/<uuid:pk>/places/<uuid:location_id>/", editing.edit_place, name="edit-place"),
    path("my/listings/<uuid:pk>/hours/", editing.hours, name="hours"),
    path("my/listings/<uuid:pk>/contacts/", editing.contacts, name="contacts"),
    path("my/listings/<uuid:pk>/areas/", editing.areas, name="areas"),
    path("my/listings/<uuid:pk>/translations/", editing.translations, name="translations"),
    path("my/listings/<uuid:pk>/capacity/", workspace.change_capacity, name="change-capacity"),
    path("my/listings/<uuid:pk>/confirm/", workspace.confirm_listing, name="confirm-listing"),
    path("my/listings/<uuid:pk>/reports/<uuid:report_id>/", workspace.close_report, name="close-report"),
    path("my/listings/<uuid:pk>/history/", workspace.history, name="listing-history"),
    path("my/organisations/<uuid:org_id>/members/", members.members, name="members"),
    path("my/organisations/<uuid:org_id>/members/<int:user_id>/", members.change_member, name="change-member"),
    path(
        "my/organisations/<uuid:org_id>/invitations/<uuid:invitation_id>/withdraw/",
        members.withdraw_invitation,
        name="withdraw-invitation",
    ),
    path("invitations/<str:token>/", members.invitation, name="invitation"),
    path("moderation/", workspace.desk, name="desk"),
    re_path(
        r"^moderation/(?P<kind>organizations|caseworkers)/(?P<pk>[0-9a-f-]{1,36})/(?P<decision>vet|refuse|revoke)/$",
        workspace.decide,
        name="decide",
    ),
    re_path(r"^offline/places/(?P<country>[A-Za-z]{2})\.json$", views.country_places, name="country-places"),
]
