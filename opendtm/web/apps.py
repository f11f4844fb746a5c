from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "opendtm.web"
    verbose_name = "Web pages"
