from .views import catalogue, entry, identifiers, imports, profile, profile_map, reporting

app_name = "indicators"

urlpatterns = [
    *catalogue.urlpatterns,
    *entry.urlpatterns,
    *imports.urlpatterns,
    *identifiers.urlpatterns,
    *profile.urlpatterns,
    *reporting.urlpatterns,
    *profile_map.urlpatterns,
]
