from .views import catalogue, entry, identifiers, imports, profile

app_name = "indicators"

urlpatterns = [
    *catalogue.urlpatterns,
    *entry.urlpatterns,
    *imports.urlpatterns,
    *identifiers.urlpatterns,
    *profile.urlpatterns,
]
