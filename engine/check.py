"""Check a process library folder as a designer does before committing a change.

Every BPMN file is parsed with the forms of ``forms/`` exactly as an upload would, and every
form file no process uses is checked on its own, so a broken file never waits for its first
upload to be found.
"""

from dataclasses import dataclass
from pathlib import Path

from engine.errors import InvalidBpmn
from engine.forms import FormInvalid, load_form
from engine.library import parse_definition, read_form_files


@dataclass(frozen=True)
class Finding:
    """One problem, located by file and, when known, by element and line."""

    file: str
    reason: str
    element_id: str | None = None
    line: int | None = None
    used_in: str | None = None  # the BPMN file naming a broken form

    def __str__(self) -> str:
        where = [f"dùng ở {self.used_in}"] if self.used_in else []
        where += [f"phần tử {self.element_id}"] if self.element_id else []
        where += [f"dòng {self.line}"] if self.line else []
        place = f" ({', '.join(where)})" if where else ""
        return f"{self.file}{place}: {self.reason}"


def check_directory(directory: Path) -> tuple[list[Finding], int, int]:
    """Return the findings for a library folder, with the numbers of processes and forms read."""
    forms = read_form_files(directory / "forms")
    bpmn_files = sorted(directory.glob("*.bpmn"))
    findings, used = [], set()
    for path in bpmn_files:
        name = f"{directory.name}/{path.name}"
        try:
            used |= set(parse_definition(path.read_bytes(), path.stem, forms).forms)
        except InvalidBpmn as err:
            for p in err.problems:
                form_file = p.extra.get("file")
                used |= {p.extra["form"]} if form_file else set()
                findings.append(Finding(f"{directory.name}/{form_file}" if form_file else name,
                                        p.reason, p.element_id, p.line, name if form_file else None))
    for form_name in sorted(set(forms) - used):
        try:
            load_form(form_name, forms[form_name])
        except FormInvalid as err:
            findings.extend(Finding(f"{directory.name}/forms/{form_name}.json", r) for r in err.reasons)
    return findings, len(bpmn_files), len(forms)
