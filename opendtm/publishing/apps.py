from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "opendtm.publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from opendtm.publishing.tasks import round_published_received
        from opendtm.tracking.signals import round_published

        round_published.connect(round_published_received)
