"""Mobility tracking: rounds and their revisions, the indicator catalogue, figures and issues.

A round is one collection cycle of one assessment type. Its figures live in a revision: the
round's first revision is filled while it collects and is frozen when published; a correction
opens the next revision (with a reason), which is published in its turn while the earlier one
stays readable. Figures are one value of one indicator for one place, traced to the submission
and form version they came from. A draft's levels above the place are summed by the database
when asked; a published revision's are summed once, when it is published, and stored as
level figures, frozen with it (see services/level_figures.py).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opendtm.accounts.models import Operation, User
from opendtm.collection.models import FormVersion, Submission
from opendtm.geo.models import AdminArea, Site


class AssessmentType(models.TextChoices):
    BASELINE_AREA = "BA", _("Baseline area assessment")
    SITE = "SA", _("Site assessment")
    EMERGENCY_EVENT = "ETT", _("Emergency event tracking")


class Round(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        COLLECTING = "collecting", _("Collecting")
        VALIDATING = "validating", _("Validating")
        PUBLISHED = "published", _("Published")

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("round number"))
    assessment_type = models.CharField(
        _("assessment type"), max_length=3, choices=AssessmentType.choices
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    period_start = models.DateField(_("reference period start"))
    period_end = models.DateField(_("reference period end"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["operation", "assessment_type", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "assessment_type", "number"], name="round_number_once"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="round_period_order"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(type)s round %(number)d") % {
            "type": self.assessment_type,
            "number": self.number,
        }


class RoundRevision(models.Model):
    """One edition of a round's figures: a draft, then published, then perhaps superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reason = models.TextField(_("reason for the correction"), blank=True)
    opened_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="revision_number_once"),
            models.UniqueConstraint(
                fields=["round"], condition=Q(status="draft"), name="one_draft_per_round"
            ),
            models.UniqueConstraint(
                fields=["round"], condition=Q(status="published"), name="one_published_per_round"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(round)s, revision %(number)d") % {
            "round": self.round,
            "number": self.number,
        }


class Indicator(models.Model):
    """A catalogue entry. Built-in ones have no operation; an operation may add its own."""

    class Unit(models.TextChoices):
        INDIVIDUALS = "individuals", _("Individuals")
        HOUSEHOLDS = "households", _("Households")
        PLACES = "places", _("Places")  # yes/no and ranks: counted over the places answering

    class Aggregation(models.TextChoices):
        # Stock: summed over places within a round, never across rounds ("latest" instead).
        STOCK = "stock", _("Stock: sum over places, latest over time")
        # Flag: a yes (1) or no (0) per place; aggregated as the number of places saying yes.
        FLAG = "flag", _("Yes/no: places answering yes")
        # Rank: 1 = the first need; aggregated as the number of places ranking it first.
        RANK = "rank", _("Rank: places ranking it first")

    class Sensitivity(models.TextChoices):
        PUBLIC = "public", _("Public")
        RESTRICTED = "restricted", _("Restricted")
        PROTECTION = "protection", _("Protection")

    class Category(models.TextChoices):
        POPULATION = "population", _("Population")
        ORIGIN = "origin", _("Origin and reason")
        NEEDS = "needs", _("Needs by sector")
        SERVICES = "services", _("Services and access")
        PROTECTION = "protection", _("Protection risks")

    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200, blank=True)
    category = models.CharField(max_length=12, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    hxl_tag = models.CharField(_("HXL tag"), max_length=80, blank=True)
    by_sex = models.BooleanField(_("by sex"), default=False)
    by_age = models.BooleanField(_("by age band"), default=False)
    aggregation = models.CharField(max_length=6, choices=Aggregation.choices)
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.PUBLIC
    )
    sector = models.CharField(_("sector"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(operation__isnull=True), name="builtin_code_once"
            ),
            models.UniqueConstraint(
                fields=["operation", "code"],
                condition=Q(operation__isnull=False),
                name="operation_code_once",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TrackingSettings(models.Model):
    """An operation's tracking choices; the defaults hold until someone changes them."""

    DEFAULT_AGE_BANDS = ["0-4", "5-17", "18-59", "60+"]

    operation = models.OneToOneField(
        Operation, on_delete=models.CASCADE, related_name="tracking_settings"
    )
    age_bands = models.JSONField(_("age bands"), default=list)
    change_threshold_percent = models.PositiveSmallIntegerField(
        _("change from the previous round flagged above (%)"), default=50
    )

    def __str__(self) -> str:
        return f"tracking settings of {self.operation}"


class FieldMapping(models.Model):
    """Which form field gives which indicator (and disaggregation): data, not code."""

    form_version = models.ForeignKey(
        FormVersion, on_delete=models.CASCADE, related_name="indicator_mappings"
    )
    path = models.CharField(_("field path"), max_length=500)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=1, blank=True, choices=[("f", _("female")), ("m", _("male"))])
    age_band = models.CharField(_("age band"), max_length=10, blank=True)
    # A select question's row: the answer `choice` gives `value`, any other answer gives
    # `otherwise` (0 for a yes/no flag; none for a rank). Without a choice, the number answered.
    choice = models.CharField(max_length=120, blank=True)
    value = models.FloatField(default=1)
    otherwise = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["form_version", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_version", "path", "indicator", "sex", "age_band", "choice"],
                name="mapping_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} → {self.indicator_id}"


class Figure(models.Model):
    """One value of one indicator for one place in one revision of a round."""

    revision = models.ForeignKey(RoundRevision, on_delete=models.CASCADE, related_name="figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    admin_area = models.ForeignKey(AdminArea, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The place's ancestors, copied when the figure is written, so that any admin level is one
    # GROUP BY away (areas do not move between parents; a new COD-AB makes new areas).
    admin1 = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admin2 = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admin3 = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=10, blank=True)
    value = models.FloatField()
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures"
    )
    form_version = models.ForeignKey(
        FormVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["revision", "indicator", "admin_area"], name="figure_area"),
            # Summing a revision to every level reads it in this order, with no sort.
            models.Index(
                fields=["revision", "admin1", "admin2", "admin3", "indicator", "sex", "age_band"],
                name="figure_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


def derived_key(to: type[models.Model], *, null: bool = True) -> models.ForeignKey:
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )


class LevelFigure(models.Model):
    """A published revision's figures summed to admin level 0 to 3: what every table, map,
    "latest" and time series above the place reads. Written once when the revision is
    published, in one INSERT ... SELECT, and never changed after, like the revision.

    Derived rows: their keys come from figures that hold them, so the database neither checks
    them again (a deferred check per row and key at commit) nor indexes them one by one."""

    revision = models.ForeignKey(
        RoundRevision,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the index below starts with it
    )
    level = models.PositiveSmallIntegerField()
    # The area summed to (None at level 0), and its ancestors, so that drill-down filters as
    # it does on figures.
    admin_area = derived_key(AdminArea)
    admin1 = derived_key(AdminArea)
    admin2 = derived_key(AdminArea)
    admin3 = derived_key(AdminArea)
    indicator = derived_key(Indicator, null=False)
    sex = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=10, blank=True)
    total = models.FloatField()  # the sum of the values: stocks and yes/no flags
    first = models.PositiveIntegerField()  # places whose value is 1: ranks
    places = models.PositiveIntegerField()  # places reporting

    class Meta:
        indexes = [
            # Totals (no sex, no age band) come first within an indicator: "latest" and time
            # series read only them.
            models.Index(
                fields=["revision", "level", "indicator", "sex", "age_band", "admin_area"],
                name="level_figure_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.level}={self.total}"


class RoundSubmission(models.Model):
    """A submission attached to a round explicitly, overriding the round its date gives."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="round_attachment"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="attached")
    attached_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.submission_id} in {self.round_id}"


class ValidationIssue(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        EXPLAINED = "explained", _("Explained")
        FIXED = "fixed", _("Fixed")

    class Severity(models.TextChoices):
        BLOCKING = "blocking", _("Blocks publishing")
        WARNING = "warning", _("Warning")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="issues")
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="issues"
    )
    admin_area = models.ForeignKey(
        AdminArea, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=40)
    field = models.CharField(_("field"), max_length=500, blank=True)
    message = models.TextField(_("message"))
    severity = models.CharField(max_length=8, choices=Severity.choices)
    state = models.CharField(max_length=9, choices=State.choices, default=State.OPEN)
    explanation = models.TextField(_("explanation"), blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "-severity", "rule", "id"]
        indexes = [models.Index(fields=["round", "state", "severity"], name="issue_state")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.message[:60]}"
