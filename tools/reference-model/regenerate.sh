#!/usr/bin/env bash
# Rewrites expected/*.json from the Python reference implementation.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for f in "$here"/scenarios/*.yaml "$root/scenarios/seed-incident.yaml" "$root/scenarios/completing-move.yaml"; do
  name=$(basename "$f" .yaml)
  python3 "$here/cnasim_ref.py" "$f" > "$here/expected/$name.json"
  echo "expected/$name.json"
done
