from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("options/", views.OrganizationOptionsView.as_view(), name="organization_options"),
    path("<str:code>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<str:code>/edit/", views.OrganizationUpdateView.as_view(), name="organization_update"),
]
