#!/usr/bin/env bash
# The one command that rebuilds the shipped model from nothing but Debian packages:
#   corpus (build_corpus.sh: MMA grooves + LMMS demo projects) -> perturbed dataset with the
#   engine's features (make_dataset.py, 2 processes) -> five training runs (train.py, seeds 1-5,
#   role-weighted level loss, 2 at a time) -> five EQ members (train.py --objective eq: trained and
#   checkpointed on the EQ loss alone, seeds 1-5) -> one ensemble whose level and pan are the
#   level members' mean and whose EQ is the EQ members' mean (ensemble.py --eq-members ->
#   models/mix_policy.json + mix_policy.weights, model_file.py) -> parity fixture (export_fixture.py) ->
#   evaluation on the validation songs (evaluate.py -> models/evaluation.json, the figures of
#   models/MODEL_CARD.md).
# Needs a Release build of mixmaster (default build/mixmaster; MIXMASTER=path to override).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mm="${MIXMASTER:-$here/../build/mixmaster}"
py=/usr/bin/python3
version="${MODEL_VERSION:-1.2.0}"
"$here/build_corpus.sh"
for i in 0 1; do nice -n 10 $py "$here/make_dataset.py" --mixmaster "$mm" --shards 2 --shard $i & done
wait
mkdir -p "$here/runs"
members=()
for pair in "1 2" "3 4" "5"; do
  for seed in $pair; do
    nice -n 10 $py "$here/train.py" --version "$version" --seed "$seed" --role-weight-power 0.5 \
      --model "$here/runs/seed$seed.json" > "$here/runs/seed$seed.log" &
    members+=("$here/runs/seed$seed.json")
  done
  wait
done
eq_members=()
for pair in "1 2" "3 4" "5"; do
  for seed in $pair; do
    nice -n 10 $py "$here/train.py" --version "$version" --seed "$seed" --objective eq \
      --model "$here/runs/eq_seed$seed.json" > "$here/runs/eq_seed$seed.log" &
    eq_members+=("$here/runs/eq_seed$seed.json")
  done
  wait
done
$py "$here/ensemble.py" --version "$version" --eq-scale 1 --eq-members "${eq_members[@]}" \
  --out "$here/../models/mix_policy.json" "${members[@]}"
$py "$here/export_fixture.py"
nice -n 10 $py "$here/evaluate.py" --mixmaster "$mm"
