from django.urls import path

from . import import_views, views

app_name = "registry"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("import/", import_views.OrganizationImportView.as_view(), name="organization_import"),
    path(
        "import/apply/",
        import_views.OrganizationImportApplyView.as_view(),
        name="organization_import_apply",
    ),
    path(
        "import/problems.csv",
        import_views.OrganizationImportProblemsView.as_view(),
        name="organization_import_problems",
    ),
    path("options/", views.OrganizationOptionsView.as_view(), name="organization_options"),
    path("<str:code>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<str:code>/edit/", views.OrganizationUpdateView.as_view(), name="organization_update"),
]
