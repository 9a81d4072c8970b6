"""Run test steps at the same moment, each on its own database connection.

For the PostgreSQL tests of row locks and unique constraints: buyers racing for the last
items, a form submitted twice at once, two overlapping timer runs. Such a test needs
``@pytest.mark.django_db(transaction=True)``, so that every thread sees the rows the test
made and commits for real.
"""

import threading

from django.db import connection


def at_once(jobs, *, timeout=120) -> list:
    """Run each zero-argument callable in ``jobs`` in its own thread (so its own connection),
    all released together by a barrier; each thread closes its connection when done.

    Returns one entry per job, in the order of ``jobs``: what it returned, or the exception it
    raised. A job still running after ``timeout`` seconds gets a ``TimeoutError`` instead.
    """
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # the test inspects every outcome
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    for index, thread in enumerate(threads):
        if thread.is_alive():
            results[index] = TimeoutError(f"job {index} still running after {timeout} s")
    return results
