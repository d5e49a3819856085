"""Fixtures for the C runtime tests: the runtime is built once per session (gcc, plus its ASan+UBSan variant)."""
import shutil

import pytest

import native


@pytest.fixture(scope="session")
def builds():
    """Build lib, runner and the sanitizer variants (make -C runtime_embedded test-builds)."""
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build the C runtime")
    native.build("test-builds")
    return native


@pytest.fixture(scope="session")
def ctypes_backend(builds):
    """In-process backend: libtensorlet.so (gcc -O2) through ctypes."""
    return native.CtypesBackend()


@pytest.fixture(scope="session")
def asan_backend(builds):
    """Out-of-process backend: tlrun built with -fsanitize=address,undefined (any report aborts it)."""
    return native.TlrunBackend(native.ASAN_TLRUN)


@pytest.fixture(scope="session")
def lib(builds):
    return native.Library()
