"""What collection tells the apps above it (tracking) without knowing them.

submissions_changed(submission_ids=[...]) is sent once a transaction committed in which the
review state or the current parsed data of those submissions changed: a review, or a parse
batch (which is how an edit's new data arrives). Receivers recompute what they derive.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

submissions_changed = Signal()


def announce_changed(submission_ids: Iterable[int]) -> None:
    ids = sorted(set(submission_ids))
    if ids:
        transaction.on_commit(
            lambda: submissions_changed.send(sender=None, submission_ids=ids), robust=False
        )
