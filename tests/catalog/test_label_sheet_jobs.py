"""Label sheet jobs: asked for in the console or the API, drawn by the background task with its progress, kept
in storage for the lot's merchant only, swept after their retention; small sheets still come at once."""

from __future__ import annotations

import datetime as dt

import pypdfium2
import pytest
from django.core.files.storage import default_storage
from django.test import Client

from xinren.accounts.choices import Role
from xinren.catalog import sheets
from xinren.catalog.models import Batch, LabelSheet
from xinren.catalog.tasks import label_sheet_build_task, label_sheets_sweep_task
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from ..factories import BatchFactory, ItemFactory, actor_for
from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call
from ..fixtures.tasks import queued


@pytest.fixture
def lot(product) -> Batch:
    """50 items: three pages (24, 24, 2)."""
    batch = BatchFactory(product=product, lot="L2026/09", quantity=50)
    ItemFactory.create_batch(50, batch=batch)
    return batch


def test_asking_for_a_sheet_records_the_job_and_queues_its_task(merchant_actor, lot):
    # when
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf", first_page=2)
    # then
    sheet.refresh_from_db()
    assert (sheet.status, sheet.format, sheet.first_page, sheet.last_page, sheet.item_count) == (
        "requested", "pdf", 2, 3, 50)
    assert (sheet.pages_done, sheet.page_count, sheet.requested_by) == (0, 2, merchant_actor.user)
    assert queued(label_sheet_build_task) == [{"sheet_id": sheet.pk}]


def test_the_task_draws_the_sheet_into_storage(merchant_actor, lot, run_tasks):
    # given
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    # when
    assert run_tasks() == 1
    # then
    sheet.refresh_from_db()
    assert (sheet.status, sheet.pages_done, sheet.error_message) == ("done", 3, "")
    assert sheet.started_at is not None and sheet.finished_at is not None
    opened, file = sheets.label_sheet_open(actor=merchant_actor, sheet_id=sheet.pk)
    content = file.read()
    assert len(content) == sheet.size
    assert len(pypdfium2.PdfDocument(content)) == 3
    assert sheet.file_name.startswith(f"labels/{lot.pk}/{sheet.pk}-")
    assert sheets.label_sheet_filename(opened) == "labels-06901234567892-L2026_09.pdf"


def test_progress_is_recorded_while_pages_are_drawn(merchant_actor, lot, monkeypatch):
    # given progress written after every page, and a look at the row each time a page is done
    monkeypatch.setattr(sheets, "PROGRESS_EVERY_PAGES", 1)
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="svg")
    seen: list[tuple[str, int]] = []
    draw = sheets.labels.label_sheet_svg

    def spy(*, plan, resolver, progress):
        def report(done: int, total: int) -> None:
            progress(done, total)
            seen.append(LabelSheet.objects.values_list("status", "pages_done").get(pk=sheet.pk))
        return draw(plan=plan, resolver=resolver, progress=report)

    monkeypatch.setattr(sheets.labels, "label_sheet_svg", spy)
    # when
    assert sheets.label_sheet_build(sheet_id=sheet.pk) == "done"
    # then the last page is recorded with the file, never before it exists
    assert seen == [("running", 1), ("running", 2), ("running", 2)]
    assert LabelSheet.objects.values_list("status", "pages_done").get(pk=sheet.pk) == ("done", 3)


def test_the_same_sheet_asked_twice_is_one_job(merchant_actor, lot):
    # when
    first = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    again = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    other_range = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf", last_page=1)
    # then
    assert again.pk == first.pk
    assert other_range.pk != first.pk
    assert len(queued(label_sheet_build_task)) == 2


@pytest.mark.parametrize(
    ("fmt", "first", "last", "code"),
    [("png", None, None, "labels.format_invalid"), ("pdf", 4, None, "labels.pages_invalid"),
     ("pdf", 3, 2, "labels.pages_invalid"), ("pdf", 0, 1, "labels.pages_invalid")],
)
def test_a_bad_request_is_refused_and_changes_nothing(merchant_actor, lot, fmt, first, last, code):
    # when
    with pytest.raises(InvalidInput) as exc:
        sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt=fmt, first_page=first, last_page=last)
    # then
    assert exc.value.code == code
    assert LabelSheet.objects.count() == 0
    assert queued(label_sheet_build_task) == []


def test_a_lot_without_items_is_refused(merchant_actor, product):
    batch = BatchFactory(product=product)
    with pytest.raises(InvalidInput) as exc:
        sheets.label_sheet_request(actor=merchant_actor, batch_id=batch.pk, fmt="pdf")
    assert exc.value.code == "labels.no_items"
    assert LabelSheet.objects.count() == 0


def test_another_merchants_lot_and_sheets_are_not_found(merchant_actor, other_actor, lot):
    # given
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    # when / then
    with pytest.raises(NotFound):
        sheets.label_sheet_request(actor=other_actor, batch_id=lot.pk, fmt="pdf")
    with pytest.raises(NotFound):
        sheets.label_sheet_open(actor=other_actor, sheet_id=sheet.pk)
    assert list(sheets.label_sheet_list(actor=other_actor, batch_id=lot.pk)) == []
    assert LabelSheet.objects.count() == 1


def test_viewers_may_print_labels_and_a_suspended_organization_may_not(merchant, lot):
    # given
    viewer = actor_for(merchant, Role.VIEWER)
    # when
    sheet = sheets.label_sheet_request(actor=viewer, batch_id=lot.pk, fmt="pdf")
    merchant.status = "suspended"
    merchant.save()
    # then
    assert sheet.status == "requested"
    with pytest.raises(PermissionDenied):
        sheets.label_sheet_request(actor=viewer, batch_id=lot.pk, fmt="svg")
    assert LabelSheet.objects.count() == 1


def test_no_more_than_five_open_jobs_per_organization(merchant_actor, lot):
    # given five different sheets queued
    for fmt, page in [("pdf", 1), ("pdf", 2), ("pdf", 3), ("svg", 1), ("svg", 2)]:
        sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt=fmt, first_page=page, last_page=page)
    # when / then
    with pytest.raises(Conflict) as exc:
        sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    assert exc.value.code == "label_sheet.too_many_open"
    assert LabelSheet.objects.count() == 5


def test_a_sheet_not_done_cannot_be_downloaded(merchant_actor, lot):
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    with pytest.raises(Conflict) as exc:
        sheets.label_sheet_open(actor=merchant_actor, sheet_id=sheet.pk)
    assert exc.value.code == "label_sheet.not_ready"
    assert exc.value.details == {"status": "requested", "pages_done": 0, "pages": 3}


def test_a_failing_draw_fails_the_job_with_its_reason_and_is_retried(merchant_actor, lot, monkeypatch, run_tasks):
    # given
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sheets.labels, "label_sheet_pdf", broken)
    # when
    run_tasks()
    # then
    sheet.refresh_from_db()
    assert (sheet.status, sheet.error_code, sheet.file_name) == ("failed", "labels.internal", "")
    assert sheet.error_message == "生成时出错（已记录），系统会自动重试；几分钟后仍显示失败时请重新提交"
    assert queued(label_sheet_build_task) == [{"sheet_id": sheet.pk, "_attempt": 2}]
    # and the retry, once drawing works again, finishes it
    monkeypatch.undo()
    run_tasks(at=clock.now() + dt.timedelta(minutes=1))
    sheet.refresh_from_db()
    assert (sheet.status, sheet.error_message, sheet.pages_done) == ("done", "", 3)


def test_a_sheet_already_done_is_not_drawn_again(merchant_actor, lot, run_tasks):
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    run_tasks()
    sheet.refresh_from_db()
    assert sheets.label_sheet_build(sheet_id=sheet.pk) == "done"
    assert LabelSheet.objects.get(pk=sheet.pk).file_name == sheet.file_name


def test_the_sweep_deletes_old_files_and_queues_lost_jobs_again(merchant_actor, lot, run_tasks):
    # given a sheet done eight days ago, and one whose task was lost twenty minutes ago
    old = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf", last_page=1)
    run_tasks()
    old.refresh_from_db()
    LabelSheet.objects.filter(pk=old.pk).update(finished_at=clock.now() - dt.timedelta(days=8))
    lost = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="svg")
    LabelSheet.objects.filter(pk=lost.pk).update(updated_at=clock.now() - dt.timedelta(minutes=20))
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    # when
    result = label_sheets_sweep_task.call()
    # then
    assert result == {"expired": 1, "requeued": 1}
    assert LabelSheet.objects.values_list("status", "file_name").get(pk=old.pk) == ("expired", "")
    assert not default_storage.exists(old.file_name)
    assert queued(label_sheet_build_task) == [{"sheet_id": lost.pk}]


# The console


def test_the_console_asks_for_a_sheet_and_shows_its_progress(merchant_actor, lot):
    # given
    browser: Client = browser_of(merchant_actor.user)
    # when
    response = browser.post(f"/merchant/batches/{lot.pk}/labels/", {"format": "pdf", "first_page": "2",
                                                                      "last_page": "3"})
    sheet = LabelSheet.objects.get()
    LabelSheet.objects.filter(pk=sheet.pk).update(status="running", pages_done=1)
    page = browser.get(f"/merchant/batches/{lot.pk}/labels/")
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/merchant/batches/{lot.pk}/labels/"
    assert (sheet.first_page, sheet.last_page) == (2, 3)
    html = page.content.decode()
    assert '<progress max="2" value="1"></progress>' in html
    assert "1/2 页" in html
    assert page["Refresh"] == "3"


def test_the_console_downloads_a_finished_sheet(merchant_actor, lot, run_tasks):
    # given
    browser: Client = browser_of(merchant_actor.user)
    browser.post(f"/merchant/batches/{lot.pk}/labels/", {"format": "svg"})
    run_tasks()
    sheet = LabelSheet.objects.get()
    # when
    page = browser.get(f"/merchant/batches/{lot.pk}/labels/")
    response = browser.get(f"/merchant/label-sheets/{sheet.pk}/download/")
    # then
    assert "Refresh" not in page
    assert f'href="/merchant/label-sheets/{sheet.pk}/download/"' in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="labels-06901234567892-L2026_09.svg"'
    assert b"".join(response.streaming_content).count(b'class="qr"') == 50


def test_the_console_refuses_a_bad_range_in_the_form(merchant_actor, lot):
    browser: Client = browser_of(merchant_actor.user)
    response = browser.post(f"/merchant/batches/{lot.pk}/labels/", {"format": "pdf", "first_page": "5"})
    assert response.status_code == 422
    assert "页码范围无效：本批次的标签共 3 页" in response.content.decode()
    assert LabelSheet.objects.count() == 0


def test_another_merchant_sees_no_sheet_page_and_no_file(merchant_actor, other_actor, lot, run_tasks):
    sheet = sheets.label_sheet_request(actor=merchant_actor, batch_id=lot.pk, fmt="pdf")
    run_tasks()
    browser: Client = browser_of(other_actor.user)
    assert browser.get(f"/merchant/batches/{lot.pk}/labels/").status_code == 404
    assert browser.post(f"/merchant/batches/{lot.pk}/labels/", {"format": "pdf"}).status_code == 404
    assert browser.get(f"/merchant/label-sheets/{sheet.pk}/download/").status_code == 404
    assert LabelSheet.objects.count() == 1


def test_a_big_sheet_is_not_drawn_inside_the_request(merchant_actor, lot, monkeypatch):
    # given at most one page drawn at once
    monkeypatch.setattr(sheets, "SYNC_MAX_PAGES", 1)
    browser: Client = browser_of(merchant_actor.user)
    # when
    whole = browser.get(f"/merchant/batches/{lot.pk}/labels.pdf", follow=True)
    one_page = browser.get(f"/merchant/batches/{lot.pk}/labels.pdf?first=3&last=3")
    # then
    assert whole.redirect_chain == [(f"/merchant/batches/{lot.pk}/labels/", 302)]
    assert "一次最多直接下载 1 页标签；这次要 3 页" in whole.content.decode()
    assert one_page.status_code == 200
    assert one_page["Content-Disposition"] == 'attachment; filename="labels-06901234567892-L2026_09-p3-3.pdf"'
    assert len(pypdfium2.PdfDocument(one_page.content)) == 1


# The API


def test_the_api_asks_for_a_sheet_reports_it_and_hands_out_the_file(client, merchant_key, lot, run_tasks):
    # when
    asked = call(client, "POST", f"/batches/{lot.pk}/label-sheets", key=merchant_key,
                 body={"format": "pdf", "first_page": 1, "last_page": 2})
    not_yet = call(client, "GET", f"/label-sheets/{asked.json()['id']}/file", key=merchant_key)
    run_tasks()
    status = call(client, "GET", f"/label-sheets/{asked.json()['id']}", key=merchant_key)
    file = call(client, "GET", f"/label-sheets/{asked.json()['id']}/file", key=merchant_key)
    # then
    assert asked.status_code == 202
    assert {k: asked.json()[k] for k in ("status", "pages", "pages_done", "first_page", "last_page")} == {
        "status": "requested", "pages": 2, "pages_done": 0, "first_page": 1, "last_page": 2}
    assert_error(not_yet, 409, "label_sheet.not_ready")
    assert (status.json()["status"], status.json()["pages_done"]) == ("done", 2)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/pdf"
    assert len(pypdfium2.PdfDocument(b"".join(file.streaming_content))) == 2


def test_the_api_refuses_a_big_sheet_at_once_and_a_bad_range(client, merchant_key, lot, monkeypatch):
    monkeypatch.setattr(sheets, "SYNC_MAX_PAGES", 2)
    big = call(client, "GET", f"/batches/{lot.pk}/labels.pdf", key=merchant_key)
    bad = call(client, "POST", f"/batches/{lot.pk}/label-sheets", key=merchant_key, body={"first_page": 9})
    body = assert_error(big, 422, "labels.too_many_pages")
    assert body["details"] == {"pages": 3, "max": 2}
    assert_error(bad, 422, "labels.pages_invalid")
    assert LabelSheet.objects.count() == 0
