"""The examples in the frameworks package's docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "surveys.frameworks.spec",
    "surveys.frameworks.expressions",
    "surveys.frameworks.loader",
    "surveys.frameworks.export",
    "surveys.frameworks.mapping",
    "surveys.frameworks.presentation",
    "surveys.framework_languages",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_pure_package_imports_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import surveys.frameworks.loader, surveys.frameworks.export, "
        "surveys.frameworks.mapping, surveys.frameworks.presentation\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
