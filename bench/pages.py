"""Time the web pages over HTTP on the demo data and print each page's p50 and p95.

The demo province of ``dunghan seed-demo`` (agencies, users, six dossiers at different steps)
plus some consultations in progress, so inboxes hold real rows. Pages are served by waitress
on a loopback port and fetched by a signed-in ``requests`` session, one request at a time, as
a person's browser would (HTML only, no assets). The goal is p95 < 100 ms per page; it is
reported, never enforced.

    .venv/bin/python bench/pages.py [--requests 200] [--consultations 20] [--database-url URL]
"""

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from waitress.server import create_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.clock import SystemClock  # noqa: E402
from engine.store.migrate import upgrade  # noqa: E402
from engine.store.uow import UnitOfWorkFactory  # noqa: E402
from service import demo  # noqa: E402
from service.app import create_app  # noqa: E402
from service.demo_dossiers import seed_dossiers  # noqa: E402

GOAL_MS = 100
REQUEST = {"title": "Dự thảo Quyết định quy định quản lý cây xanh đô thị",
           "summary": "Đề nghị các sở cho ý kiến về dự thảo quy định quản lý cây xanh.",
           "consulted_agencies": ["SXD", "STC", "SNNMT"], "reply_days": 5,
           "concern_reasons": [f"{c}: cơ quan quản lý nhà nước về lĩnh vực của dự thảo"
                               for c in ("SXD", "STC", "SNNMT")],
           "silence_is_consent": True}


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "ATTACHMENT_DIR": Path(tmp) / "files"})
        rt = app.extensions["dunghan"]
        _, tokens, passwords = demo.seed(UnitOfWorkFactory(url), SystemClock(), Path(tmp))
        seed_dossiers(UnitOfWorkFactory(url), SystemClock(), rt.rules)
        client = app.test_client()
        for _ in range(args.consultations):
            _consultation(client, tokens["TOKEN_STP"])
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            rows = _measure(base, passwords, args.requests)
        finally:
            server.task_dispatcher.shutdown()
            server.close()
    _report(rows, args)


def _arguments():
    parser = argparse.ArgumentParser(description="p95 of each web page on the demo data")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--consultations", type=int, default=20,
                        help="consultations started besides the demo dossiers")
    parser.add_argument("--database-url", help="a database to migrate and fill (default: SQLite)")
    return parser.parse_args()


def _consultation(client, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    started = client.post("/api/v1/instances", json={"process_id": "lay_y_kien_phoi_hop"},
                          headers=headers).json
    draft = started["open_tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{draft}/complete", json={"data": REQUEST}, headers=headers)


def _session(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed = session.post(f"{base}/login", data={"username": username, "password": password,
                                                 "csrf_token": token})
    signed.raise_for_status()
    return session


def _measure(base: str, passwords: dict, n: int) -> list[tuple[str, list[float]]]:
    officer = _session(base, "cv.sxd", passwords["cv.sxd"])
    office = _session(base, "cv.vpubnd", passwords["cv.vpubnd"])
    desk = _session(base, "cv.ttpvhcc", passwords["cv.ttpvhcc"])
    reply = re.search(r'href="(/viec/[^"]+)"', officer.get(f"{base}/").text).group(1)
    dossier_task = re.search(r'href="(/viec/[^"]+)"', desk.get(f"{base}/").text)
    pages = [
        ("Đăng nhập (/login)", requests.Session(), "/login"),
        ("Việc cần xử lý, chuyên viên SXD", officer, "/"),
        ("Việc cần xử lý, VP UBND tỉnh (mọi cơ quan)", office, "/"),
        ("Việc cần xử lý, lọc quá hạn và quy trình", office,
         "/?overdue=1&process=lay_y_kien_phoi_hop&sort=agency"),
        ("Trang nhiệm vụ: trả lời ý kiến", officer, reply),
        ("Nhận thư báo việc (/thong-bao)", officer, "/thong-bao"),
        ("Việc quá hạn mọi cơ quan (/qua-han)", office, "/qua-han"),
        ("Báo cáo kỷ luật tháng (/bao-cao)", office, "/bao-cao"),
        ("Hồ sơ một cửa (/mot-cua)", desk, "/mot-cua"),
        ("Tiếp nhận hồ sơ, thủ tục đã chọn", desk, "/mot-cua/tiep-nhan?procedure=1.009972"),
    ]
    designer = _session(base, "thietke", passwords["thietke"])
    admin = _session(base, "quantri", passwords["quantri"])
    public = requests.Session()
    instance = re.search(r'href="(/tien-trinh/[^"#?]+)', officer.get(f"{base}/").text)
    code = re.search(r'href="/mot-cua/ho-so/([^"/]+)"', desk.get(f"{base}/mot-cua").text)
    pages += [
        ("Khởi tạo (/khoi-tao)", officer, "/khoi-tao/"),
        ("Đề nghị về thời hạn", officer, "/de-nghi-thoi-han"),
        ("Nhiệm vụ được giao, VP UBND tỉnh", office, "/nhiem-vu-duoc-giao"),
        ("Danh mục thủ tục (/thu-tuc), công khai", public, "/thu-tuc"),
        ("Một thủ tục, công khai", public, "/thu-tuc/1.009972"),
        ("Quy trình nội bộ lấy ý kiến, công khai", public, "/quy-trinh-noi-bo/lay_y_kien_phoi_hop"),
        ("Tra cứu hồ sơ (/tra-cuu), công khai", public, "/tra-cuu"),
        ("Thiết kế quy trình: danh sách", designer, "/thiet-ke"),
        ("Thiết kế quy trình: trình soạn sơ đồ", designer, "/thiet-ke/lay_y_kien_phoi_hop"),
        ("Quản trị: cơ quan", admin, "/quan-tri/co-quan"),
        ("Quản trị: người dùng", admin, "/quan-tri/nguoi-dung"),
    ]
    if instance:
        pages.append(("Tiến trình lấy ý kiến (sơ đồ, mốc, nhật ký)", officer, instance.group(1)))
    if code:
        pages.append(("Trang hồ sơ TTHC (/ho-so)", desk, f"/ho-so/{code.group(1)}"))
    dossier = re.search(r'href="(/mot-cua/ho-so/[^"]+)"', desk.get(f"{base}/mot-cua").text)
    if dossier:
        pages.append(("Hồ sơ tại một cửa (các bước của bộ phận)", desk, dossier.group(1)))
    if dossier_task:
        pages.insert(5, ("Trang nhiệm vụ: hồ sơ TTHC (một cửa)", desk, dossier_task.group(1)))
    return [(name, _times(session, base + path, n)) for name, session, path in pages]


def _times(session: requests.Session, url: str, n: int) -> list[float]:
    for _ in range(5):  # warm caches and connections, uncounted
        session.get(url).raise_for_status()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        answer = session.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}")
    return times


def _report(rows, args) -> None:
    print(f"Trang web trên dữ liệu mẫu: {args.requests} yêu cầu mỗi trang, mục tiêu p95 < {GOAL_MS} ms")
    print(f"{'trang':<48} {'p50 ms':>8} {'p95 ms':>8}  đạt?")
    for name, times in rows:
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name:<48} {p50:8.1f} {p95:8.1f}  {'có' if p95 < GOAL_MS else 'KHÔNG'}")


if __name__ == "__main__":
    main()
