from django.db import models
from django.utils.translation import gettext_lazy as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability


class AdminAreaQuerySet(models.QuerySet["AdminArea"]):
    def current(self) -> "AdminAreaQuerySet":
        return self.filter(valid_to__isnull=True)

    def without_geometry(self) -> "AdminAreaQuerySet":
        return self.defer("geometry", "geometry_simplified")


class AdminArea(models.Model):
    """A COD-AB unit. Its row is its identity: figures attach here and survive re-imports.

    A newer COD-AB version changes name, parent or shape in place and keeps the former
    state as an AdminAreaVersion; a p-code that leaves the COD gets a valid_to and stays.
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="admin_areas")
    pcode = models.CharField(_("p-code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    alt_names = models.JSONField(_("other names"), default=list, blank=True)
    geometry = models.JSONField(null=True, blank=True, help_text="GeoJSON, EPSG:4326")
    geometry_simplified = models.JSONField(null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    valid_on = models.DateField(_("valid on"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdminAreaQuerySet.as_manager()

    class Meta:
        ordering = ["level", "pcode"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "pcode"], name="pcode_once_per_operation")
        ]
        indexes = [
            models.Index(fields=["operation", "level", "pcode"], name="area_level"),
            models.Index(fields=["operation", "parent"], name="area_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.min_lon is None:
            return None
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)  # type: ignore[return-value]


class AdminAreaVersion(models.Model):
    """A former state of an admin area, from an earlier COD-AB version."""

    area = models.ForeignKey(AdminArea, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200)
    parent_pcode = models.CharField(max_length=40, blank=True)
    alt_names = models.JSONField(default=list, blank=True)
    geometry = models.JSONField(null=True, blank=True)
    valid_on = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "-valid_to", "-id"]

    def __str__(self) -> str:
        return f"{self.name} until {self.valid_to}"


class Site(models.Model):
    """A place where displaced people live, inside one admin area (the master list)."""

    class Type(models.TextChoices):
        CAMP = "camp", _("Camp")
        COLLECTIVE_CENTRE = "collective_centre", _("Collective centre")
        INFORMAL_SETTLEMENT = "informal_settlement", _("Informal settlement")
        HOST_COMMUNITY = "host_community", _("Host community")
        TRANSIT_CENTRE = "transit_centre", _("Transit centre")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="sites")
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    site_type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    admin_area = models.ForeignKey(
        AdminArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
        verbose_name=_("admin area"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    outside_area = models.BooleanField(
        _("outside its area"),
        default=False,
        help_text=_("The coordinates fall outside the boundary of the site's admin area."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["operation", "code"], name="site_code_once")]
        indexes = [models.Index(fields=["operation", "admin_area"], name="site_area")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SiteAreaMatch(models.Model):
    """A fuzzy match of an area name to a p-code, waiting for a data manager's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="area_matches")
    given_name = models.CharField(_("name given"), max_length=200)
    suggested_area = models.ForeignKey(
        AdminArea, on_delete=models.CASCADE, related_name="+", verbose_name=_("suggested area")
    )
    score = models.FloatField(_("score"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "site__code"]

    def __str__(self) -> str:
        return f"{self.given_name} → {self.suggested_area.pcode}"


class ImportJob(models.Model):
    """An upload of admin areas or sites, run in the background, with its outcome."""

    class Kind(models.TextChoices):
        AREAS = "areas", _("Admin areas")
        SITES = "sites", _("Sites")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Refused")

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    options = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.file_name}"

    @classmethod
    def capability_for(cls, kind: str) -> Capability:
        return Capability.MANAGE_AREAS if kind == cls.Kind.AREAS else Capability.MANAGE_SITES
