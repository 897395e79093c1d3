from .views import catalogue, entry, imports, profile

app_name = "indicators"

urlpatterns = [
    *catalogue.urlpatterns,
    *entry.urlpatterns,
    *imports.urlpatterns,
    *profile.urlpatterns,
]
