"""Check the forms a process names against that process, as an upload or ``dunghan check`` does.

Each use of a form is checked where the designer wrote it (the task's id): the file exists,
is a valid form, shows only variables the process produces, and writes neither a system
variable nor a variable the engine sets to assign tasks (a multi-instance item).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from engine.errors import BpmnProblem
from engine.forms.form import SYSTEM_VARIABLES, Form, FormInvalid, load_form


@dataclass(frozen=True)
class FormUse:
    """A ``form`` property on a BPMN element."""

    form: str
    element_id: str | None
    element_tag: str | None
    line: int | None


def bind_forms(uses: list[FormUse], files: Mapping[str, bytes], produced: set[str],
               assigning: set[str]) -> tuple[dict[str, Form], list[BpmnProblem]]:
    """Load every form the process uses; return them with the problems found, each located.

    ``produced`` are the variables the process itself sets (scripts, multi-instance items,
    messages); ``assigning`` those the engine sets for each multi-instance pass.
    """
    forms, problems = {}, []
    for use in uses:
        def problem(reason: str, use=use) -> BpmnProblem:
            return BpmnProblem(reason, use.element_id, use.element_tag, use.line,
                               {"file": f"forms/{use.form}.json", "form": use.form})
        if use.form not in files:
            problems.append(problem(f"Không có tệp biểu mẫu '{use.form}' (forms/{use.form}.json)"))
            continue
        try:
            forms[use.form] = load_form(use.form, files[use.form])
        except FormInvalid as err:
            problems.extend(problem(f"Biểu mẫu '{use.form}': {r}") for r in err.reasons)
    written = SYSTEM_VARIABLES | produced | {v for f in forms.values() for v in f.written_variables}
    for use in uses:
        form = forms.get(use.form)
        if form is None:
            continue
        for name in form.shows:
            if name not in written:
                problems.append(BpmnProblem(
                    f"Biểu mẫu '{use.form}' cho xem biến '{name}' nhưng quy trình không có bước nào "
                    "tạo biến này", use.element_id, use.element_tag, use.line))
        for name in set(form.written_variables) & assigning:
            problems.append(BpmnProblem(
                f"Biểu mẫu '{use.form}' không được ghi biến '{name}': hệ thống đặt biến này cho "
                "từng lượt (multi-instance) để giao việc", use.element_id, use.element_tag, use.line))
    return forms, _unique(problems)


def _unique(problems: list[BpmnProblem]) -> list[BpmnProblem]:
    seen, kept = set(), []
    for p in problems:
        if (p.reason, p.element_id) not in seen:
            seen.add((p.reason, p.element_id))
            kept.append(p)
    return kept
