"""Routes of API version 1."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from api.views import accounts, directory, records, sync

app_name = "api"

router = DefaultRouter()
router.register("services", directory.ServiceViewSet, basename="service")
router.register("organizations", directory.OrganizationViewSet, basename="organization")
router.register("locations", directory.LocationViewSet, basename="location")
router.register("categories", directory.CategoryViewSet, basename="category")
router.register("populations", directory.PopulationViewSet, basename="population")
router.register("contexts", directory.ContextViewSet, basename="context")
router.register("languages", directory.LanguageViewSet, basename="language")
router.register("capacity-units", directory.CapacityUnitViewSet, basename="capacity-unit")
router.register("phones", records.PhoneViewSet, basename="phone")
router.register("schedules", records.ScheduleViewSet, basename="schedule")
router.register("service-areas", records.ServiceAreaViewSet, basename="service-area")
router.register("service-at-locations", records.ServiceAtLocationViewSet, basename="service-at-location")
router.register("service-translations", records.ServiceTranslationViewSet, basename="service-translation")
router.register("caseworkers", accounts.CaseworkerViewSet, basename="caseworker")
router.register("disclosures", accounts.DisclosureViewSet, basename="disclosure")
router.register("reports", accounts.ReportViewSet, basename="report")

urlpatterns = [
    path("auth/login/", accounts.LoginView.as_view(), name="login"),
    path("auth/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", accounts.LogoutAllView.as_view(), name="logout-all"),
    path("auth/revoke/", accounts.RevokeTokensView.as_view(), name="revoke-tokens"),
    path("auth/me/", accounts.WhoAmIView.as_view(), name="whoami"),
    path("auth/signup/provider/", accounts.ProviderSignupView.as_view(), name="signup-provider"),
    path("auth/signup/caseworker/", accounts.CaseworkerSignupView.as_view(), name="signup-caseworker"),
    path("places/", directory.PlacesView.as_view(), name="places"),
    path("sync/", sync.SyncView.as_view(), name="sync"),
    *router.urls,
]
