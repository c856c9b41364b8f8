"""Routes of API version 1."""

from rest_framework.routers import DefaultRouter

from api import views

app_name = "api"

router = DefaultRouter()
router.register("services", views.ServiceViewSet, basename="service")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("locations", views.LocationViewSet, basename="location")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("populations", views.PopulationViewSet, basename="population")
router.register("contexts", views.ContextViewSet, basename="context")
router.register("languages", views.LanguageViewSet, basename="language")

urlpatterns = router.urls
