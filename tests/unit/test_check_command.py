"""`dunghan check processes/` is what a designer runs before committing: 0 on the shipped library,
1 on a broken copy, each problem named by file, element and a Vietnamese reason."""

import shutil

from click.testing import CliRunner

from service.cli import main
from tests.conftest import PROCESSES


def check(directory) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(directory)])
    return result.exit_code, result.output


def test_the_shipped_library_passes():
    code, output = check(PROCESSES)

    assert code == 0, output
    assert "5 quy trình" in output and "không có lỗi" in output


def test_a_broken_copy_fails_naming_each_file_element_and_reason(tmp_path):
    library = tmp_path / "processes"
    shutil.copytree(PROCESSES, library)
    reply = library / "forms" / "consultation_reply.json"
    reply.write_text(reply.read_text(encoding="utf-8").replace('"maxLength": 20000', '"maxLenght": 20000'),
                     encoding="utf-8")
    (library / "forms" / "provincial_review.json").unlink()

    code, output = check(library)

    assert code == 1
    assert ("processes/forms/consultation_reply.json (dùng ở processes/lay_y_kien_phoi_hop.bpmn, "
            "phần tử reply_to_consultation") in output
    assert "Từ khóa không được hỗ trợ 'maxLenght' tại 'properties/reasons'" in output
    assert ("processes/forms/provincial_review.json (dùng ở processes/lay_y_kien_phoi_hop.bpmn, "
            "phần tử provincial_review") in output
    assert "Không có tệp biểu mẫu 'provincial_review'" in output
