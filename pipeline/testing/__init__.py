"""Helpers for tests and benchmarks, not used at run time (nothing in the program imports them).

`tiny_pipelines` builds tiny random-weight diffusers pipelines in code, for trying the
`diffusers` generator where no weights can be downloaded.
"""
