"""Forms, their versions and media; submissions, their versions and attachments.

One store: a submission version keeps its raw XML (verbatim, as received) and the JSON parsed
from it in the same row, written in the same transaction. Files are content-addressed on
disk (collection.blobs) and referenced here by SHA-256.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opendtm.accounts.models import Operation, User
from opendtm.geo.models import AdminArea, Site


class Form(models.Model):
    class Kind(models.TextChoices):
        BASELINE_AREA = "baseline_area", _("Baseline area assessment")
        SITE_ASSESSMENT = "site_assessment", _("Site assessment")
        EMERGENCY_EVENT = "emergency_event", _("Emergency event")
        FLOW_MONITORING = "flow_monitoring", _("Flow monitoring")
        REGISTRATION = "registration", _("Registration")
        SURVEY = "survey", _("Survey")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSING = "closing", _("Closing: accepts, not listed")
        CLOSED = "closed", _("Closed")

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="forms")
    form_id = models.CharField(_("form ID"), max_length=249)
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    current_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site_field = models.CharField(
        _("site field"),
        max_length=255,
        blank=True,
        help_text=_("Path of the question that holds the site code, e.g. site/site_code."),
    )
    area_field = models.CharField(
        _("admin area field"),
        max_length=255,
        blank=True,
        help_text=_("Path of the question that holds the admin area p-code."),
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "form_id"], name="form_id_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.form_id})"


class FormVersion(models.Model):
    """One published version: the exact XForm bytes served, and where they came from."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    xform = models.TextField(help_text="The XForm, byte for byte as served to devices.")
    xform_md5 = models.CharField(max_length=32)
    xlsform_name = models.CharField(max_length=255, blank=True)
    xlsform_sha256 = models.CharField(max_length=64, blank=True)
    definition = models.JSONField(
        null=True, blank=True, help_text="pyxform's JSON of the XLSForm, extra columns included."
    )
    schema = models.JSONField(default=dict, help_text="Fields parsed from the XForm.")
    warnings = models.JSONField(default=list, blank=True)
    validated = models.BooleanField(null=True, help_text="ODK Validate ran (True/False), or not.")
    validate_output = models.TextField(blank=True)
    media_expected = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="version_once_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.version}"


class FormMedia(models.Model):
    """A file a form version uses: a choices CSV, an image. Served to devices by manifest."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    md5 = models.CharField(max_length=32)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["filename"]
        constraints = [
            models.UniqueConstraint(fields=["version", "filename"], name="media_name_once")
        ]

    def __str__(self) -> str:
        return self.filename


class FormUpload(models.Model):
    """An XLSForm upload and its conversion, run in the background with limits."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CONVERTING = "converting", _("Converting")
        DONE = "done", _("Published")
        FAILED = "failed", _("Refused")

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="form_uploads")
    kind = models.CharField(max_length=20, choices=Form.Kind.choices, default=Form.Kind.OTHER)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    media = models.JSONField(default=list, blank=True, help_text="[{filename, sha256, ...}]")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    problems = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(
        FormVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # when its conversion began
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class AppUser(models.Model):
    """A device's credential: a token in the server URL, as ODK Central's app users.

    Only the token's digest is stored; the token is shown once, in the QR code.
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="app_users")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    forms = models.ManyToManyField(Form, blank=True, related_name="app_users")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One filled form across its edits; its versions hold what was received."""

    class Review(models.TextChoices):
        RECEIVED = "received", _("Received")
        HAS_ISSUES = "has_issues", _("Has issues")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # No index of their own: submission_operation and submission_page start with them, and
    # every index is one more write on the submission path.
    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    form = models.ForeignKey(
        Form, on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    instance_id = models.CharField(max_length=249, help_text="The first version's instanceID.")
    review_state = models.CharField(max_length=12, choices=Review.choices, default=Review.RECEIVED)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    app_user = models.ForeignKey(
        AppUser, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    admin_area = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    edits = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(db_index=False)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["form", "-received_at", "-id"], name="submission_page"),
            models.Index(fields=["form", "review_state"], name="submission_review"),
            models.Index(fields=["operation", "-received_at"], name="submission_operation"),
        ]

    def __str__(self) -> str:
        return self.instance_id


class SubmissionVersion(models.Model):
    """One received instance: verbatim XML, its parsed data, who sent it and how."""

    class Parse(models.TextChoices):
        PENDING = "pending", _("Not parsed yet")
        PARSED = "parsed", _("Parsed")
        FAILED = "failed", _("Could not be parsed")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    # instance_once_per_form starts with it
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="+", db_index=False)
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    instance_id = models.CharField(max_length=249)
    deprecated_id = models.CharField(max_length=249, blank=True)
    current = models.BooleanField(default=True)
    xml = models.TextField()
    xml_sha256 = models.CharField(max_length=64)
    data = models.JSONField(null=True, blank=True)
    parse_status = models.CharField(max_length=8, choices=Parse.choices, default=Parse.PENDING)
    parse_error = models.TextField(blank=True)
    attachments_expected = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    app_user = models.ForeignKey(
        AppUser, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device_id = models.CharField(max_length=255, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["submission", "-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "instance_id"], name="instance_once_per_form"),
            models.UniqueConstraint(
                fields=["submission"], condition=Q(current=True), name="one_current_version"
            ),
        ]
        indexes = [
            models.Index(
                fields=["parse_status"], condition=Q(parse_status="pending"), name="parse_backlog"
            ),
        ]

    def __str__(self) -> str:
        return self.instance_id


class SubmissionAttachment(models.Model):
    version = models.ForeignKey(
        SubmissionVersion, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    md5 = models.CharField(max_length=32)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="attachment_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionReview(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    state = models.CharField(max_length=12, choices=Submission.Review.choices)
    comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.state} by {self.reviewed_by}"


class Export(models.Model):
    """A CSV or XLSX export of a form's submissions, built in the background."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (ZIP of one file per table)")
        XLSX = "xlsx", _("XLSX (one sheet per table)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=4, choices=Format.choices)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # touched as rows are written
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.form.form_id} {self.format}"
