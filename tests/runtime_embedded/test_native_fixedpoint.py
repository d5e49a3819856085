"""tl_fixedpoint.h and tl_gemmlowp.h against converter/reference/fixedpoint.py and gemmlowp.py on edge values and
random int32s, compiled with -fsanitize=undefined (the int32 wraps the reference models must stay defined in C)."""
import shutil
import subprocess

import numpy as np
import pytest

import native
from tensorlet.converter.reference import gemmlowp
from tensorlet.converter.reference.fixedpoint import (multiply_by_quantized_multiplier, rounding_divide_by_pot,
                                                       saturating_rounding_doubling_high_mul)

EDGES = [0, 1, -1, 2, -2, 3, 7, (1 << 30), -(1 << 30), (1 << 31) - 1, -(1 << 31), (1 << 31) - 2, -(1 << 31) + 1,
         (1 << 24), -(1 << 24), 12345, -12345, 1 << 12, 255 << 20, -(255 << 20)]


@pytest.fixture(scope="module")
def driver(builds, tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed")
    exe = tmp_path_factory.mktemp("fixedpoint") / "driver"
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-fsanitize=undefined",
                    "-fno-sanitize-recover=all", f"-I{native.RUNTIME / 'src'}",
                    str(native.ROOT / "tests" / "runtime_embedded" / "fixedpoint_driver.c"), "-o", str(exe)],
                   check=True)
    return exe


def test_primitives_match_the_reference(driver):
    rng = np.random.default_rng(3)
    edges = np.array(EDGES, np.int64)
    grid = np.array(np.meshgrid(edges, edges, np.arange(63))).reshape(3, -1).T
    rand = rng.integers(-(1 << 31), 1 << 31, (60000, 3))
    small = rng.integers(-300, 300, (20000, 3))
    triples = np.concatenate([grid, rand, small]).astype(np.int64)
    result = subprocess.run([str(driver)], input=triples.astype("<i4").tobytes(), capture_output=True)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    got = np.frombuffer(result.stdout, "<i4").reshape(-1, 9).astype(np.int64)
    a, b, c = triples.T
    shift = (c & 0xFFFFFFFF) % 63 - 31
    exponent = (c & 0xFFFFFFFF) % 32
    nonpositive = np.where(a > 0, -a, a)
    unit = np.where(a < 0, a & 0x7FFFFFFF, a)
    multiplier = np.where(b < 0, b & 0x7FFFFFFF, b)
    reciprocal, nbits = gemmlowp.get_reciprocal(np.where(unit == 0, 1, unit), 12)
    expected = {
        "srdhm": saturating_rounding_doubling_high_mul(a, b),
        "rdbpot": rounding_divide_by_pot(a, exponent),
        "mbqm": multiply_by_quantized_multiplier(a, multiplier, shift),
        "srmbpot": gemmlowp.saturating_rounding_multiply_by_pot(a, shift),
        "exp_on_negative_values": gemmlowp.exp_on_negative_values(nonpositive, 5),
        "one_over_one_plus_x": gemmlowp.one_over_one_plus_x_for_x_in_0_1(unit),
        "get_reciprocal": reciprocal,
        "num_bits_over_unit": nbits,
        "rounding_half_sum": gemmlowp.rounding_half_sum(a, b),
    }
    for k, (name, want) in enumerate(expected.items()):
        bad = np.flatnonzero(got[:, k] != np.asarray(want, np.int64))
        assert bad.size == 0, f"{name}: {bad.size} mismatches, first {triples[bad[0]]}: {got[bad[0], k]} vs " \
                              f"{np.asarray(want)[bad[0]]}"
