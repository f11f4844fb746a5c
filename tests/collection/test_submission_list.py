"""The submission list: filters, keyset paging that neither repeats nor skips, rights."""

import datetime

import pytest
from django.utils import timezone

from opendtm.accounts.roles import Role
from opendtm.collection.models import AppUser, Submission
from opendtm.collection.selectors.submission_cursor import Cursor
from opendtm.collection.selectors.submissions import (
    COUNT_CAP,
    SubmissionFilters,
    attachment_get,
    submission_form_get,
    submission_get,
    submission_list,
    submission_page,
)
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from tests.collection.factories_submissions import (
    add_many,
    add_submission,
    sample_values,
    site_form,
)
from tests.factories import AdminAreaFactory, SiteFactory, UserFactory

NOW = timezone.now()


@pytest.fixture
def manager(member, operation):
    return member(Role.DATA_MANAGER, operation, "manager")


@pytest.fixture
def form(operation, manager):
    return site_form(operation, created_by=manager)


def ids(submissions):
    return [submission.pk for submission in submissions]


def listed(manager, operation, form, **filters):
    return list(
        submission_list(
            user=manager, operation=operation, form=form, filters=SubmissionFilters(**filters)
        )
    )


def test_newest_first(manager, operation, form):
    old = add_submission(form.current_version, received_at=NOW - datetime.timedelta(days=2))
    new = add_submission(form.current_version, received_at=NOW)
    assert ids(listed(manager, operation, form)) == [new.pk, old.pk]


def test_filters_by_date_submitter_review_area_site_and_text(manager, operation, form):
    # given
    borno = AdminAreaFactory(operation=operation, level=1, pcode="NG008", name="Borno")
    lga = AdminAreaFactory(operation=operation, level=2, pcode="NG008021", parent=borno)
    yobe = AdminAreaFactory(operation=operation, level=1, pcode="NG036", name="Yobe")
    camp = SiteFactory(admin_area=lga, code="MMC-01")
    phone = AppUser.objects.create(
        operation=operation, name="phone-7", prefix="p7", digest="x", created_by=manager
    )
    amina = UserFactory(username="amina")
    version = form.current_version
    early = add_submission(
        version, received_at=NOW - datetime.timedelta(days=10), submitted_by=amina
    )
    at_camp = add_submission(version, site=camp, app_user=phone, review_state="approved")
    in_yobe = add_submission(version, sample_values(5, remarks="flooded latrines"), admin_area=yobe)
    # when / then
    today = NOW.date()
    assert ids(
        listed(manager, operation, form, received_to=today - datetime.timedelta(days=5))
    ) == [early.pk]
    assert early.pk not in ids(listed(manager, operation, form, received_from=today))
    assert ids(listed(manager, operation, form, submitter="AMINA")) == [early.pk]
    assert ids(listed(manager, operation, form, submitter="phone-7")) == [at_camp.pk]
    assert ids(listed(manager, operation, form, review_state="approved")) == [at_camp.pk]
    assert ids(listed(manager, operation, form, area="NG008")) == [at_camp.pk]  # via its site
    assert ids(listed(manager, operation, form, area="NGA036")) == [in_yobe.pk]  # ISO3 form
    assert ids(listed(manager, operation, form, area="not a pcode")) == []
    assert ids(listed(manager, operation, form, site="mmc-01")) == [at_camp.pk]
    assert ids(listed(manager, operation, form, text="flooded")) == [in_yobe.pk]
    assert ids(listed(manager, operation, form, text=early.instance_id[5:15])) == [early.pk]
    assert ids(listed(manager, operation, form, text="phone-7")) == [at_camp.pk]


def test_text_search_finds_non_latin_answers(manager, operation, form):
    arabic = add_submission(form.current_version, sample_values(1, remarks="مخيم الأمل"))
    add_submission(form.current_version, sample_values(2))
    assert ids(listed(manager, operation, form, text="الأمل")) == [arabic.pk]


def walk_pages(submissions, size):
    seen, cursor, pages = [], "", 0
    while True:
        page = submission_page(submissions, cursor=cursor, size=size)
        seen.extend(ids(page.rows))
        pages += 1
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


def test_cursor_pages_cover_every_row_once_even_with_equal_timestamps(manager, operation, form):
    for number in range(7):  # three share one timestamp: the id breaks the tie
        at = NOW - datetime.timedelta(minutes=number if number > 2 else 0)
        add_submission(form.current_version, received_at=at)
    everything = submission_list(user=manager, operation=operation, form=form)
    seen, pages = walk_pages(everything, size=2)
    assert seen == ids(everything)
    assert pages == 4


def test_rows_that_arrive_while_paging_do_not_shift_the_pages(manager, operation, form):
    for number in range(6):
        add_submission(form.current_version, received_at=NOW - datetime.timedelta(hours=number))
    everything = submission_list(user=manager, operation=operation, form=form)
    expected = ids(everything)
    first = submission_page(everything, size=2)
    for number in range(3):  # new submissions arrive between two page requests
        add_submission(form.current_version, received_at=NOW + datetime.timedelta(seconds=number))
    seen, cursor = ids(first.rows), first.next_cursor
    while cursor:
        page = submission_page(everything, cursor=cursor, size=2)
        seen.extend(ids(page.rows))
        cursor = page.next_cursor
    assert seen == expected


def test_count_is_taken_on_the_first_page_and_capped(manager, operation, form, monkeypatch):
    add_many(form.current_version, 5)
    everything = submission_list(user=manager, operation=operation, form=form)
    first = submission_page(everything, size=2)
    assert (first.count, first.count_capped) == (5, False)
    assert submission_page(everything, cursor=first.next_cursor, size=2).count is None
    monkeypatch.setattr("opendtm.collection.selectors.submissions.COUNT_CAP", 3)
    capped = submission_page(everything, size=2)
    assert (capped.count, capped.count_capped) == (3, True)
    assert COUNT_CAP == 10_000


@pytest.mark.parametrize("cursor", ["garbage", "bm90LWEtZGF0ZXwx", "MjAyNC0wMS0wMXx4"])
def test_a_forged_cursor_is_refused(manager, operation, form, cursor):
    everything = submission_list(user=manager, operation=operation, form=form)
    with pytest.raises(ApplicationError):
        submission_page(everything, cursor=cursor)


def test_cursor_round_trips():
    cursor = Cursor(received_at=NOW, id=42)
    assert Cursor.decode(cursor.encode()) == cursor


def test_reading_needs_view_submissions(member, operation, form):
    enumerator = member(Role.ENUMERATOR, operation)
    with pytest.raises(Forbidden):
        submission_list(user=enumerator, operation=operation, form=form)
    with pytest.raises(Forbidden):
        submission_form_get(user=enumerator, operation=operation, form_id=form.form_id)


def test_another_operations_form_and_submissions_are_not_found(
    manager, operation, other_operation, form
):
    theirs = site_form(other_operation, created_by=manager)
    submission = add_submission(theirs.current_version)
    with pytest.raises(NotFound):
        submission_form_get(user=manager, operation=other_operation, form_id=theirs.form_id)
    with pytest.raises(NotFound):
        submission_list(user=manager, operation=operation, form=theirs)
    with pytest.raises(NotFound):
        submission_get(user=manager, operation=operation, form=form, pk=submission.pk)
    with pytest.raises(NotFound):
        attachment_get(user=manager, operation=operation, form=form, pk=submission.pk, name="x")


def test_detail_has_versions_attachments_and_reviews(manager, operation, form):
    submission = add_submission(
        form.current_version,
        sample_values(1, photo="site.jpg"),
        attachments=[("site.jpg", b"\xff\xd8jpeg")],
    )
    detail = submission_get(user=manager, operation=operation, form=form, pk=submission.pk)
    [version] = detail.versions.all()
    assert version.current
    assert [attachment.name for attachment in version.attachments.all()] == ["site.jpg"]
    assert version.attachments_expected == ["site.jpg"]
    found = attachment_get(
        user=manager, operation=operation, form=form, pk=submission.pk, name="site.jpg"
    )
    assert found.size == 6
    assert Submission.objects.get(pk=submission.pk).review_state == "received"
