#!/usr/bin/env bash
# Trainer consumer tests (pytest marker `consumers`): build one venv per trainer from
# PyPI from scratch (their pins differ; CPU torch 2.13.0), then run LLaMA-Factory, TRL and
# axolotl on Curator's exports (tests/consumers/). Needs the project's venv active
# (curator + test extras). Usage: bash .ci/consumers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
V=.ci/consumer-venvs
rm -rf "$V"
mkdir -p "$V"
t_all=$(date +%s)
build() {
  local name=$1 t0
  shift
  t0=$(date +%s)
  python3 -m venv "$V/$name"
  if ! "$V/$name/bin/pip" install -q "$@" >"$V/$name.log" 2>&1; then
    tail -40 "$V/$name.log"
    return 1
  fi
  echo "consumers: $name venv step done in $(( $(date +%s) - t0 )) s"
}
build llamafactory llamafactory==0.9.5 torch==2.13.0 pyyaml &
p1=$!
build trl trl==1.16.0 torch==2.13.0 pyyaml &
p2=$!
( build axolotl torch==2.13.0 pyyaml \
  && "$V/axolotl/bin/pip" install -q --no-deps -r .ci/consumers-axolotl.txt >>"$V/axolotl.log" 2>&1 \
  && echo "consumers: axolotl packages installed" ) &
p3=$!
wait "$p1"
wait "$p2"
wait "$p3"
# PyPI's torchvision/torchaudio do not load beside the CPU torch 2.13 wheel (transformers then
# fails to import); LLaMA-Factory's text SFT path does not use them.
"$V/llamafactory/bin/pip" uninstall -q -y torchvision torchaudio
echo "consumers: venvs built in $(( $(date +%s) - t_all )) s"
t_run=$(date +%s)
CURATOR_CONSUMER_VENVS="$PWD/$V" CURATOR_CONSUMERS_REQUIRED=1 CURATOR_TRL_PYTHON="$PWD/$V/trl/bin/python" \
  HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 pytest -q -m "consumers or consumer"
echo "consumers: tests ran in $(( $(date +%s) - t_run )) s; whole step $(( $(date +%s) - t_all )) s"
