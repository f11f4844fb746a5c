from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendtm.accounts.roles import Role


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships."""

    class Meta:
        ordering = ["username"]


class Operation(models.Model):
    """A country operation. Every other record belongs to exactly one operation."""

    class PcodeStyle(models.TextChoices):
        ISO2 = "iso2", _("ISO2 prefix (NG008)")
        ISO3 = "iso3", _("ISO3 prefix (NGA008)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    country_iso3 = models.CharField(_("country ISO3"), max_length=3)
    country_iso2 = models.CharField(_("country ISO2"), max_length=2)
    country_name = models.CharField(_("country"), max_length=120)
    pcode_style = models.CharField(
        _("p-code prefix"), max_length=4, choices=PcodeStyle.choices, default=PcodeStyle.ISO2
    )
    admin_level_names = models.JSONField(
        _("admin level names"),
        default=list,
        help_text=_("Names of levels 0, 1, 2...; for example Country, State, LGA, Ward."),
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        _("suppression threshold"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Public cells below this count are blanked."),
    )
    # The logo is kept in the content-addressed blob store (collection/blobs.py), named here
    # by its SHA-256, so the audit log records which logo was set.
    report_logo = models.CharField(_("report logo"), max_length=64, blank=True)
    report_disclaimer = models.TextField(
        _("report disclaimer"),
        blank=True,
        help_text=_("Printed on every situation report; left empty, the standard wording."),
    )
    public_dashboard = models.BooleanField(
        _("public dashboard"),
        default=False,
        help_text=_(
            "Anyone, signed in or not, may see the dashboard of each published round: public "
            "figures only, with small counts blanked."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def pcode_prefix(self) -> str:
        return self.country_iso3 if self.pcode_style == self.PcodeStyle.ISO3 else self.country_iso2

    def level_name(self, level: int) -> str:
        names = self.admin_level_names
        return names[level] if level < len(names) else f"Admin {level}"


class Membership(models.Model):
    """One role of one user in one operation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["operation", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "operation", "role"], name="one_role_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} in {self.operation}"


class ApiToken(models.Model):
    """A named secret for scripts. Only its digest is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AuditLogIsAppendOnly

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly


class AuditLogIsAppendOnly(Exception):
    def __init__(self) -> None:
        super().__init__("The audit log is append-only: its events cannot be changed or deleted.")


class AuditEvent(models.Model):
    """Who did what to which record, and when. Append-only, down to database triggers."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        READ = "read", _("read")
        EXPORT = "export", _("exported")
        IMPORT = "import", _("imported")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=100, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["operation", "-at"], name="audit_operation_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly
