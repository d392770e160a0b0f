#!/usr/bin/env bash
# The one command that rebuilds the shipped model from nothing but Debian packages:
#   corpus (build_corpus.sh) -> perturbed dataset with the engine's features (make_dataset.py)
#   -> training (train.py, seed 1) -> models/mix_policy.json -> parity fixture
#   (export_fixture.py) -> evaluation on the validation songs (evaluate.py ->
#   models/evaluation.json, the figures of models/MODEL_CARD.md).
# Needs a Release build of mixmaster (default build/mixmaster; MIXMASTER=path to override).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mm="${MIXMASTER:-$here/../build/mixmaster}"
py=/usr/bin/python3
"$here/build_corpus.sh"
nice -n 10 $py "$here/make_dataset.py" --mixmaster "$mm"
nice -n 10 $py "$here/train.py" --version "${MODEL_VERSION:-1.0.0}" --seed 1
$py "$here/export_fixture.py"
nice -n 10 $py "$here/evaluate.py" --mixmaster "$mm"
