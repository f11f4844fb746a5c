"""What tracking tells the apps above it (publishing) without knowing them.

round_published(round_id=...) is sent once the transaction that published a revision of the
round committed: receivers prepare what they derive from published figures.
"""

from django.db import transaction
from django.dispatch import Signal

round_published = Signal()


def announce_published(round_id: int) -> None:
    transaction.on_commit(
        lambda: round_published.send(sender=None, round_id=round_id), robust=False
    )
