from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackingConfig(AppConfig):
    name = "opendtm.tracking"
    verbose_name = "Mobility tracking"

    def ready(self) -> None:
        # The built-in catalogue follows the code: every migrate brings it up to date.
        from opendtm.collection.signals import submissions_changed
        from opendtm.tracking.services.catalogue import catalogue_sync_after_migrate
        from opendtm.tracking.services.figures import submissions_changed_received

        post_migrate.connect(catalogue_sync_after_migrate, sender=self)
        # Approvals, edits and re-parses of submissions rewrite their figures.
        submissions_changed.connect(submissions_changed_received)
