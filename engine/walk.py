"""Find a workflow's tasks by state in SpiffWorkflow's order, without its general iterator.

SpiffWorkflow finds ready and waiting tasks with one iterator for every kind of query: it
rebuilds its to-do list at each task (``children + rest``) and keeps the depth by climbing
back up the parents, and ``do_engine_steps`` runs it over the whole tree about ten times a
step. On a consultation that was a fifth of a task completion. `tasks_in` gives the same
tasks in the same depth-first order, sub-workflows included, for the common query (a state
mask, optionally manual or not); `Workflow` answers such queries with it and leaves every
other query to SpiffWorkflow.
"""

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

# The iterator does not descend below this depth (its default ``max_depth``); neither do we.
MAX_DEPTH = 1000
# The only filters `tasks_in` takes; any other (spec name, end spec, lane...) goes to Spiff.
FAST_FILTERS = frozenset({"state", "manual"})


def tasks_in(root, state: int = TaskState.ANY_MASK, manual: bool | None = None) -> list:
    """Return the tasks at or under ``root`` in ``state``, as BpmnTaskIterator orders them.

    Like the iterator, it looks under a task only when the task's state can have such
    descendants (predicted tasks follow definite ones, definite tasks follow finished ones)
    and always enters the sub-workflow a task runs.
    """
    if state & TaskState.PREDICTED_MASK:
        lowest = TaskState.MAYBE
    elif state & TaskState.DEFINITE_MASK:
        lowest = TaskState.FUTURE
    else:
        lowest = TaskState.COMPLETED
    subprocesses = root.workflow.top_workflow.subprocesses
    found, stack = [], [(root, 0)]
    while stack:
        task, depth = stack.pop()
        if task.state & state and (manual is None or task.task_spec.manual == manual):
            found.append(task)
        sub = subprocesses.get(task.id)
        if depth >= MAX_DEPTH or not (task._children or sub is not None):
            continue
        if sub is None and task.state < lowest:
            continue
        below = task.children
        # SpiffWorkflow's own rule for not entering a finished sub-workflow.
        if sub is not None and not (task.state >= TaskState.FINISHED_MASK
                                    and state <= TaskState.FINISHED_MASK):
            below = [sub.task_tree, *below]
        stack.extend((child, depth + 1) for child in reversed(below))
    return found


class Workflow(BpmnWorkflow):
    """A BpmnWorkflow whose queries by state, and engine steps, use `tasks_in`."""

    def get_tasks(self, first_task=None, **kwargs) -> list:
        """Return matching tasks; only filters other than state and manual use Spiff's iterator."""
        if kwargs.keys() <= FAST_FILTERS:
            return tasks_in(first_task or self.task_tree, **kwargs)
        return super().get_tasks(first_task, **kwargs)

    def _do_engine_steps(self, will_complete_task=None, did_complete_task=None):
        """Run the ready engine tasks of every active sub-workflow, deepest first, then the top.

        SpiffWorkflow 3.2's own loop, step for step; only the walks that find ready tasks
        (``update_workflow`` calls ``get_tasks`` on sub-workflows too) use `tasks_in`.
        """
        def update_workflow(wf) -> int:
            count = 0
            for task in tasks_in(wf.task_tree, TaskState.READY):
                if not task.task_spec.manual:
                    if will_complete_task is not None:
                        will_complete_task(task)
                    task.run()
                    count += 1
                    if did_complete_task is not None:
                        did_complete_task(task)
            return count

        active = self.get_active_subprocesses()
        for subprocess in sorted(active, key=lambda v: v.depth, reverse=True):
            count = None
            while count is None or count > 0:
                count = update_workflow(subprocess)
            if subprocess.parent_task_id is not None:
                task = self.get_task_from_id(subprocess.parent_task_id)
                task.task_spec._update(task)
        count = update_workflow(self)
        return count > 0 or len(self.get_active_subprocesses()) > len(active)
