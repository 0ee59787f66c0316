"""The signed-in web pages: one blueprint per group, all nested under the ``pages`` blueprint.

Nesting gives every group the same frame (``shell``), the same CSRF check (see
``service.web.check_csrf``) and the same error page. A new group adds its module here and its
entries to ``nav.ENTRIES``; its endpoints are then named ``pages.<group>.<view>``.
"""

from apiflask import APIBlueprint

from service.pages import (
    admin,
    assignments,
    attachments,
    catalog,
    deadline_requests,
    designer,
    desk,
    inbox,
    instances,
    reports,
    shell,
    start,
    supervision,
    tasks,
)

bp = APIBlueprint("pages", __name__, enable_openapi=False)
shell.install(bp)
for group in (inbox, start, tasks, attachments, deadline_requests, instances, assignments, catalog, admin,
              designer, supervision, reports, desk):
    bp.register_blueprint(group.bp)
