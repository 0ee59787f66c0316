"""Uploads on the task page: the size the settings allow passes, more is refused in Vietnamese."""

import io
import re

import pytest

from engine import directory
from tests.integration.test_sign_in import PASSWORD, csrf

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
MB = 1024 * 1024


@pytest.fixture
def draft(app, api, uow_factory, clock, tmp_path):
    """The lead's draft task, and a signed-in officer of the lead agency."""
    app.config.update(ATTACHMENT_DIR=tmp_path / "files", ATTACHMENT_MAX_BYTES=6 * MB)
    directory.seed_user(uow_factory(), clock, "cv.stp", "Phạm Thu Pháp", "STP", ["officer"], PASSWORD)
    created = api("POST", "/api/v1/instances", "STP", json={"process_id": "lay_y_kien_phoi_hop"})
    client = app.test_client()
    client.post("/login", data={"username": "cv.stp", "password": PASSWORD,
                                "csrf_token": csrf(client)})
    return client, created.json["open_tasks"][0]["id"]


def upload(client, task_id: str, size: int):
    pdf = b"%PDF-1.4\n" + b"0" * (size - 9)
    return client.post(f"/viec/{task_id}/hoan-thanh", content_type="multipart/form-data", data={
        "csrf_token": csrf(client, f"/viec/{task_id}"), "title": "Dự thảo",
        "attachments__upload": (io.BytesIO(pdf), "du_thao.pdf")})


def test_a_file_larger_than_the_app_wide_limit_but_within_the_setting_is_kept(draft, tmp_path):
    client, task_id = draft
    answer = upload(client, task_id, 5 * MB)  # the app refuses bodies over 4 MB elsewhere
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422  # the rest of the form is incomplete, the file is kept
    assert re.search(r'value="/tep/[0-9a-f]{32}/du_thao.pdf" checked', page)
    [kept] = list((tmp_path / "files").iterdir())
    assert kept.stat().st_size == 5 * MB


def test_a_file_over_the_setting_is_refused_beside_its_field(draft, tmp_path):
    client, task_id = draft
    page = upload(client, task_id, 6 * MB + 1).get_data(as_text=True)
    assert "Tệp du_thao.pdf: vượt quá 6 MB" in page
    assert not (tmp_path / "files").exists()


def test_a_request_beyond_all_the_files_allowed_is_refused_as_a_page(draft):
    client, task_id = draft
    answer = upload(client, task_id, 32 * MB)  # more than five files of 6 MB
    assert answer.status_code == 413 and "quá lớn" in answer.get_data(as_text=True)
    assert answer.mimetype == "text/html"
