"""The fast task walk finds what SpiffWorkflow's iterator finds, in the same order."""

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import codec
from engine.walk import Workflow, tasks_in
from tests.processes.test_lay_y_kien_phoi_hop import (
    LEAD,
    OFFICE,
    REVIEW,
    SYNTHESIS,
    Consultation,
    calendar,  # noqa: F401  fixtures the consultation needs
    compiled,  # noqa: F401
)

MASKS = [
    *(1 << n for n in range(9)),  # every single state, MAYBE to CANCELLED
    TaskState.PREDICTED_MASK, TaskState.DEFINITE_MASK, TaskState.NOT_FINISHED_MASK,
    TaskState.FINISHED_MASK, TaskState.ANY_MASK, TaskState.READY | TaskState.WAITING,
]


def assert_same_walks(workflow) -> int:
    """Compare both walks from the top and from every sub-workflow; return the roots compared."""
    roots = [workflow.task_tree, *(sp.task_tree for sp in workflow.subprocesses.values())]
    for root in roots:
        for mask in MASKS:
            for manual in (None, True, False):
                spiff = list(BpmnTaskIterator(root, state=mask, manual=manual))
                assert tasks_in(root, mask, manual) == spiff, (TaskState.get_name(mask), manual)
    return len(roots)


def test_every_query_matches_the_iterator_at_every_step_of_a_consultation(compiled, calendar):  # noqa: F811
    consultation = Consultation(compiled, calendar)
    roots = [assert_same_walks(consultation.instance.workflow)]
    consultation.request()
    roots.append(assert_same_walks(consultation.instance.workflow))
    for agency, position in [("SXD", "disagree"), ("STC", "agree"), ("SNNMT", "agree_with_amendments")]:
        consultation.reply(agency, position)
        roots.append(assert_same_walks(consultation.instance.workflow))
    consultation.complete("synthesize", SYNTHESIS, LEAD)
    roots.append(assert_same_walks(consultation.instance.workflow))
    consultation.complete("provincial_review", REVIEW, OFFICE)
    roots.append(assert_same_walks(consultation.instance.workflow))

    assert consultation.instance.workflow.completed
    assert max(roots) > 1  # the replies ran in sub-workflows, and those were compared too


def test_a_cancelled_consultation_walks_alike(compiled, calendar):  # noqa: F811
    consultation = Consultation(compiled, calendar)
    consultation.request()
    consultation.cancel()
    assert_same_walks(consultation.instance.workflow)


def test_restored_workflows_use_the_fast_walk_and_keep_the_stock_state_format(compiled, calendar):  # noqa: F811
    consultation = Consultation(compiled, calendar)
    state = consultation.instance.dump()
    assert isinstance(consultation.instance.workflow, Workflow)
    assert codec.loads(state)["typename"] == "BpmnWorkflow"

    stock = codec.load_state(state, compiled, None, workflow_class=BpmnWorkflow)
    assert type(stock) is BpmnWorkflow
    assert codec.dump_state(stock) == state


@pytest.mark.parametrize("filters", [{"spec_name": "Start"}, {"skip_subprocesses": True}])
def test_other_queries_are_left_to_spiffworkflow(compiled, calendar, filters):  # noqa: F811
    consultation = Consultation(compiled, calendar)
    consultation.request()
    workflow = consultation.instance.workflow
    assert workflow.get_tasks(**filters) == BpmnWorkflow.get_tasks(workflow, **filters)
