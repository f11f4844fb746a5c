"""What publishing stores: the keys that outside consumers call the public API with."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opendtm.accounts.models import Operation, User


class SubscriptionKey(models.Model):
    """A key to the public API, issued to a named consumer by an operation admin.

    The key reads every operation's published figures; it belongs to the operation whose
    admin issued it, who answers for it. Only its digest is stored: the key is shown once.
    """

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="subscription_keys"
    )
    consumer_name = models.CharField(_("consumer"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.consumer_name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
