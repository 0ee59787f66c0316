"""Profile task completions through the use cases, in figures that do not depend on the load.

On a shared machine wall-clock times swing by a factor of three from one minute to the next,
so this prints what does not: Python function calls and SQL statements per completion (counted
by cProfile and on the engine), the hot-instance hits, and where the time goes (the functions
with the most cumulative time, shown as a share of the profiled time). It drives mode b of
``bench/consultation.py``: the use cases on a SQLite file.

    .venv/bin/python bench/completion_profile.py > bench/completion_profile.txt
"""

import argparse
import cProfile
import io
import pstats
import sys

import consultation as bench


def profile(driver, rounds: int) -> tuple[cProfile.Profile, int]:
    """Profile only the completion calls of `rounds` rounds, after one warm-up round."""
    bench.run_round(driver, dict.fromkeys(bench.STEP_KINDS, 0.0), {k: [] for k in bench.STEP_KINDS})
    profiler = cProfile.Profile()
    timed = driver.completions.time

    def profiled(call):
        profiler.enable()
        try:
            return timed(call)
        finally:
            profiler.disable()

    driver.completions.reset()
    driver.completions.time = profiled
    for _ in range(rounds):
        bench.run_round(driver, dict.fromkeys(bench.STEP_KINDS, 0.0),
                        {k: [] for k in bench.STEP_KINDS})
    return profiler, len(driver.completions.statements)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    driver = bench.UseCases()
    try:
        profiler, completions = profile(driver, args.rounds)
        hot = driver.uow.hot
        stats = pstats.Stats(profiler)
        statements = sum(driver.completions.statements) / completions
        print(f"{completions} completions ({args.rounds} consultation rounds), "
              f"{driver.uow.engine.dialect.name}")
        print(f"Python function calls per completion: {stats.total_calls / completions:,.0f}")
        print(f"SQL statements per completion: {statements:.1f}; statement compilations: "
              f"{sum(driver.completions.compilations)}")
        print(f"hot instances: {hot.hits} hits, {hot.misses} misses")
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("cumulative").print_stats(args.top)
        total = stats.total_tt
        print(f"\nTop {args.top} by cumulative time (share of the profiled {total:.2f} s):")
        for line in out.getvalue().splitlines():
            parts = line.split(None, 5)
            numeric = parts[0].replace("/", "").isdigit() if parts else False
            if len(parts) == 6 and numeric and parts[3].replace(".", "").isdigit():
                share = 100 * float(parts[3]) / total
                where = parts[5].replace(str(bench.ROOT) + "/", "").replace(
                    ".venv/lib/python3.11/site-packages/", "")
                print(f"  {share:5.1f}%  {parts[0]:>9} calls  {where}")
    finally:
        driver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
