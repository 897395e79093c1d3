from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "barzan.api"
    label = "api"
    verbose_name = "API"
