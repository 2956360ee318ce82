"""Build step for the one compiled module (everything else is in pyproject.toml).

``analysis._segment`` is jieba's precise mode in C with counting built in (see its source).
It is optional: where it cannot be compiled, the package still installs and segments with
jieba-rs (``rjieba``), which gives the same tokens more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "analysis._segment",
            ["analysis/_segment.c"],
            # No fused multiply-add: floating-point steps must round as Python's do (routes tie the same way).
            extra_compile_args=["-O2", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
