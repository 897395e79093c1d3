from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("options/", views.AreaOptionsView.as_view(), name="area_options"),
    path("<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
]
