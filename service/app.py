"""Compose the application: configuration, database, clock, API blueprints, error handling."""

import os
from pathlib import Path

from apiflask import APIFlask

from engine import services
from engine.clock import SystemClock
from engine.rules import Rules
from engine.services.dossiers import load_catalog_directory
from engine.store.migrate import require_current, runs_as_owner
from engine.store.uow import UnitOfWorkFactory
from notifications.config import NotificationConfig, mailer_from_environment
from service import api_docs, bodies, headers, logs, pages, problems, public, settings, web
from service.api import (
    assignments,
    consultations,
    deadlines,
    directory,
    documents,
    dossiers,
    feedback,
    health,
    instances,
    messages,
    metrics,
    notifications,
    overdue,
    processes,
    reports,
    tasks,
)
from service.api import webhooks as webhook_api
from service.runtime import Runtime
from webhooks.config import WebhookConfig

API_DESCRIPTION = """API của **Đúng hạn**: chạy quy trình BPMN lấy ý kiến phối hợp và giải quyết
thủ tục hành chính, tính hạn theo ngày làm việc. Mọi lỗi trả về theo RFC 9457
(`application/problem+json`). Xác thực bằng `Authorization: Bearer <mã truy cập>`."""
SWAGGER_UI = "/static/vendor/swagger-ui-dist"


def create_app(config: dict | None = None) -> APIFlask:
    """Build the app; tests pass ``config`` to override environment settings and the clock."""
    app = APIFlask(
        "service", title="Đúng hạn API", version="1",
        spec_path="/api/v1/openapi.json", docs_path="/api/v1/docs",
    )
    app.config.update(settings.from_environment())
    app.config.update(
        DESCRIPTION=API_DESCRIPTION,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
        VALIDATION_ERROR_STATUS_CODE=422,
        LOAD_PROCESSES=True,
        # The docs page must work on a provincial network without internet access.
        # Its assets come from the npm package swagger-ui-dist, copied by `make install`.
        SWAGGER_UI_CSS=f"{SWAGGER_UI}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{SWAGGER_UI}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON=f"{SWAGGER_UI}/favicon-32x32.png",
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.secret_key = app.config["SECRET_KEY"]

    rules = app.config.get("RULES") or Rules.from_files(app.config.get("CALENDAR_FILE"),
                                                        app.config.get("LADDER_FILE"))
    clock = app.config.get("CLOCK") or SystemClock()
    rt = Runtime(UnitOfWorkFactory(app.config["DATABASE_URL"]), clock, rules)
    app.extensions["dunghan"] = rt
    require_current(rt.uow.engine)
    if runs_as_owner(rt.uow.engine):
        app.logger.warning("The service connects to PostgreSQL as a role that can rewrite the "
                           "audit log; connect as dunghan_app (see the README, Security).")
    app.extensions["webhooks"] = WebhookConfig.from_settings(
        app.config["SECRET_KEY"], app.config["WEBHOOK_ALLOWED_HOSTS"], app.config["PUBLIC_URL"])
    app.extensions["notifications"] = NotificationConfig(
        app.config.get("MAILER") or mailer_from_environment(os.environ, settings.var_dir()),
        rules, app.config["PUBLIC_URL"].rstrip("/"))
    if app.config["LOAD_PROCESSES"]:
        services.load_process_directory(rt.uow(), rt.clock, app.config["PROCESSES_DIR"])
        load_catalog_directory(rt.uow(), rt.clock, Path(app.config["PROCESSES_DIR"]) / "catalog")
    # An edited override file moves open due dates; each move is recorded in the ledger.
    services.recompute_deadlines(rt.uow(), rt.clock, rt.rules)

    problems.register(app)
    bodies.register(app)
    logs.install(app)
    api_docs.register(app)
    headers.register(app)
    blueprints = (health, metrics, processes, instances, tasks, deadlines, overdue, directory,
                  webhook_api, messages, notifications, reports, dossiers, feedback, documents,
                  assignments, consultations, public, web, pages)
    for module in blueprints:
        app.register_blueprint(module.bp)
    webhook_api.document_events(app)
    return app
