from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "opendtm.collection"
    verbose_name = "Forms and submissions"
