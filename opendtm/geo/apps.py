from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "opendtm.geo"
    verbose_name = "Admin areas and sites"
