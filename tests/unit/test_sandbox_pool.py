"""Scripts run in child processes with memory and CPU limits the service process never pays.

Each test uses its own small pool, so a child killed here never touches another test's.
"""

import time

import pytest

from engine.errors import ScriptRejected
from engine.sandbox_pool import SandboxPool
from engine.scripting import SandboxEnvironment

MB = 1024 * 1024
BOMBS = {
    "string_of_ten_gigabytes": "x = 'a' * (10 ** 10)",
    "list_of_a_billion": "x = [1] * (10 ** 9)",
    "growing_list": "x = [0] * (10 ** 7)\ny = x * 50",
    "result_too_large_to_hand_back": "x = 'a' * (50 * 10 ** 6)",
    "nesting_too_deep_to_hand_back": "x = []\nfor i in range(5000):\n    x = [x]",
}


def rss() -> int:
    """Return this process's resident set size in bytes (Linux)."""
    with open("/proc/self/status") as status:
        line = next(s for s in status if s.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


@pytest.fixture
def pool():
    made = SandboxPool(size=1)
    yield made
    made.close()


@pytest.fixture
def env(pool):
    return SandboxEnvironment(helpers={"add_days": lambda n: f"P{n}D"}, pool=pool)


@pytest.mark.parametrize("name", BOMBS)
def test_a_memory_bomb_fails_in_its_child_and_the_service_stays_small(env, name):
    before = rss()
    started = time.monotonic()
    with pytest.raises(ScriptRejected):
        env.execute(BOMBS[name], {"a": 1})
    assert time.monotonic() - started < 5
    assert rss() - before < 50 * MB
    context = {"a": 1}
    env.execute("b = a + 1", context)  # the pool still serves, with a fresh child if need be
    assert context == {"a": 1, "b": 2}


def test_a_child_that_does_not_answer_in_time_is_killed_and_replaced():
    pool = SandboxPool(size=1, wait_seconds=0.3)
    env = SandboxEnvironment(time_limit=30, pool=pool)
    try:
        started = time.monotonic()
        with pytest.raises(ScriptRejected, match="giới hạn"):
            env.execute("x = 0\nfor i in range(100000):\n    for j in range(100000):\n"
                        "        x = x + 1", {})
        assert time.monotonic() - started < 2
        context = {}
        env.execute("y = 2", context)
        assert context == {"y": 2}
    finally:
        pool.close()


def test_a_script_changes_and_deletes_variables_and_calls_helpers_in_the_service(env):
    context = {"replies": ["STC", "SXD"], "draft": "x", "kept": {"a": [1, 2]}}
    env.execute("count = len(replies)\ndel draft\ndeadline = add_days(count)", context)
    assert context == {"replies": ["STC", "SXD"], "kept": {"a": [1, 2]}, "count": 2,
                       "deadline": "P2D"}


def test_errors_inside_the_child_keep_their_kind(env):
    with pytest.raises(NameError, match="missing"):
        env.execute("x = missing + 1", {})
    with pytest.raises(ZeroDivisionError):
        env.evaluate("1 / zero", {"zero": 0})
    with pytest.raises(ScriptRejected):
        env.execute("x = __import__('os')", {})


def test_simple_expressions_are_evaluated_in_process_without_a_round_trip(env, pool):
    context = {"agency": "SXD", "reply_days": 5, "replies": [{"position": "agree"}]}
    for expression in ("agency", "reply_days > 3 and agency != 'STP'", "replies[0]['position']",
                       "add_days(reply_days)", "5", "not silence" if False else "agency == 'SXD'"):
        env.evaluate(expression, context)
    assert pool.requests == 0
    assert env.evaluate("[r['position'] for r in replies]", context) == ["agree"]
    assert pool.requests == 1


def test_scripts_that_only_reshape_data_run_in_process(env, pool):
    context = {"agency": "SXD", "position": "agree", "replies": [{"agency": "SXD", "position": "agree"}]}
    env.execute('reply = {"agency": agency, "position": position}', context)
    env.execute('late = [r["agency"] for r in replies if r["position"] == "agree"]\n'
                "count = len(late)", context)
    assert pool.requests == 0
    assert (context["reply"], context["late"], context["count"]) == (
        {"agency": "SXD", "position": "agree"}, ["SXD"], 1)
    env.execute("doubled = [[a, a] for a in late]\nnested = [[a for a in late] for b in late]",
                context)  # a nested comprehension may grow as the square of the data: a child
    assert pool.requests == 1 and context["nested"] == [["SXD"]]


def test_sharing_that_would_explode_when_saved_is_refused_in_process(env, pool):
    script = "\n".join(["x = [a, a, a, a, a, a, a, a]"]
                       + ["x = [x, x, x, x, x, x, x, x]"] * 12)  # 8**13 items once written out
    with pytest.raises(ScriptRejected, match="quá lớn"):
        env.execute(script, {"a": "SXD"})
    assert pool.requests == 0


@pytest.mark.parametrize("script", [
    "x = [0]\nfor i in range(40):\n    x = [x]",  # in a child: loops are not plain reshaping
    "x = [a]\n" + "x = [x]\n" * 40,  # in place
])
def test_data_nested_deeper_than_a_request_may_be_is_refused(env, script):
    with pytest.raises(ScriptRejected, match="32"):
        env.execute(script, {"a": 1})
