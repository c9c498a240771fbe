"""`make bench`: the fast path against the reference, measured in one run on this machine.

`python -m contracts.bench --help` lists the sizes; the results go into docs/performance.md.
"""
