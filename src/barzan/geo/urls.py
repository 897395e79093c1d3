from django.urls import path

from . import identifier_views, views

app_name = "geo"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("options/", views.AreaOptionsView.as_view(), name="area_options"),
    path("import/", views.AreaImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.AreaImportDetailView.as_view(), name="import_detail"),
    path(
        "import/<int:pk>/progress/",
        views.AreaImportProgressView.as_view(),
        name="import_progress",
    ),
    path("import/<int:pk>/apply/", views.AreaImportActionView.as_view(), name="import_apply"),
    path(
        "import/<int:pk>/run-again/",
        views.AreaImportActionView.as_view(rerun=True),
        name="import_rerun",
    ),
    path("locate/", views.LocateView.as_view(), name="locate"),
    path("<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("<int:pk>/new/", views.AreaCreateView.as_view(), name="area_create"),
    path("<int:pk>/edit/", views.AreaUpdateView.as_view(), name="area_update"),
    path("<int:pk>/names/", views.AreaNameCreateView.as_view(), name="area_name_create"),
    path(
        "<int:pk>/names/<int:name_pk>/remove/",
        views.AreaNameDeleteView.as_view(),
        name="area_name_delete",
    ),
    path("<int:pk>/move/", views.AreaMoveView.as_view(), name="area_move"),
    path("<int:pk>/boundary/", views.AreaBoundaryView.as_view(), name="area_boundary"),
    path("<int:pk>/split/", views.AreaSplitView.as_view(), name="area_split"),
    path("<int:pk>/merge/", views.AreaMergeView.as_view(), name="area_merge"),
    path("<int:pk>/end/", views.AreaEndView.as_view(), name="area_end"),
    path(
        "<int:pk>/identifiers/",
        identifier_views.AreaIdentifiersView.as_view(),
        name="area_identifiers",
    ),
]
