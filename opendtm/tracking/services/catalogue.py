"""Keeping the built-in indicators in the database equal to tracking/catalogue.py."""

from dataclasses import asdict
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from opendtm.tracking.catalogue import CATALOGUE
from opendtm.tracking.models import Indicator


def catalogue_sync() -> int:
    """Create or update every built-in indicator; how many changed. Runs after each migrate."""
    existing = {item.code: item for item in Indicator.objects.filter(operation__isnull=True)}
    changed = 0
    with transaction.atomic():
        for position, entry in enumerate(CATALOGUE):
            values = {**asdict(entry), "position": position}
            indicator = existing.get(entry.code)
            if indicator is None:
                Indicator.objects.create(operation=None, **values)
                changed += 1
            elif any(getattr(indicator, key) != value for key, value in values.items()):
                Indicator.objects.filter(pk=indicator.pk).update(**values)
                changed += 1
    return changed


def catalogue_sync_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After migrate (and after a test flush), unless migrated back to before the table."""
    if Indicator._meta.db_table in connections[using].introspection.table_names():
        catalogue_sync()
