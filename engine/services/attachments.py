"""Record files uploaded on a task page, and decide who may download one.

A file is uploaded by someone who may act on an open task; it may be read by the uploading
agency, the instance's lead agency, those who read every agency, and any agency with a task
that shows it (its address appears in what the task shows). Nobody else, even in the same
instance: a consulted agency does not see another's reply.
"""

import json
import uuid

from engine import policy
from engine.clock import Clock
from engine.errors import Forbidden, NotFound
from engine.identity import Principal
from engine.policy import Action
from engine.services.tasks import open_task, task_resource
from engine.store.repositories import TaskQuery
from engine.store.uow import UnitOfWork

PREFIX = "/tep/"


def address(attachment_id: str, filename: str) -> str:
    """Return the address a form stores for a file, which the task page turns into a link."""
    return f"{PREFIX}{attachment_id}/{filename}"


def add_attachment(uow: UnitOfWork, clock: Clock, principal: Principal, task_id: str,
                   filename: str, content_type: str, size: int, sha256: str) -> dict:
    """Record a file uploaded for an open task the principal may act on; return its record."""
    with uow:
        task = open_task(uow, task_id)
        policy.require(principal, Action.ACT_ON_TASK, task_resource(task))
        row = dict(id=uuid.uuid4().hex, instance_id=task["instance_id"], task_id=task_id,
                   filename=filename, content_type=content_type, size=size, sha256=sha256,
                   uploaded_by=principal.subject, uploaded_at=clock.now())
        uow.attachments.add(**row)
        uow.commit()
    return {**row, "address": address(row["id"], filename)}


def readable_attachment(uow: UnitOfWork, principal: Principal, attachment_id: str) -> dict:
    """Return a file's record if the principal may read it; raise NotFound or Forbidden."""
    with uow:
        row = uow.attachments.get(attachment_id)
        if row is None:
            raise NotFound("Không tìm thấy tệp")
        if not _may_read(uow, principal, row):
            raise Forbidden("Không được xem tệp này: nhiệm vụ của cơ quan không cho xem tệp này")
        return dict(row)


def _may_read(uow, principal: Principal, row) -> bool:
    uploader = uow.tasks.get(row["task_id"])
    lead = uow.instances.get(row["instance_id"])["lead_agency"]
    if policy.reads_all(principal) or principal.agency in (lead, uploader["agency_code"]):
        return True
    mine, _ = uow.tasks.search(TaskQuery(instance_id=row["instance_id"], agency=principal.agency,
                                         limit=1000))
    needle = f"{PREFIX}{row['id']}/"
    return any(needle in json.dumps(t["data"], ensure_ascii=False) for t in mine)
