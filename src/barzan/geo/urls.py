from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("options/", views.AreaOptionsView.as_view(), name="area_options"),
    path("import/", views.AreaImportView.as_view(), name="import"),
    path("locate/", views.LocateView.as_view(), name="locate"),
    path("<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("<int:pk>/new/", views.AreaCreateView.as_view(), name="area_create"),
    path("<int:pk>/edit/", views.AreaUpdateView.as_view(), name="area_update"),
    path("<int:pk>/move/", views.AreaMoveView.as_view(), name="area_move"),
    path("<int:pk>/boundary/", views.AreaBoundaryView.as_view(), name="area_boundary"),
    path("<int:pk>/split/", views.AreaSplitView.as_view(), name="area_split"),
    path("<int:pk>/merge/", views.AreaMergeView.as_view(), name="area_merge"),
]
