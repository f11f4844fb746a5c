from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "opendtm.publishing"
    verbose_name = "Publishing"
