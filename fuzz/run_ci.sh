#!/usr/bin/env bash
# ctest's run of one fuzz target: every seed (and a regression input) once, then a short
# fuzzing burst. Usage: run_ci.sh BINARY SEED_DIR SCRATCH_DIR SECONDS DICT_DIR
set -euo pipefail
binary=$1 seeds=$2 scratch=$3 seconds=$4 dicts=$5
name=$(basename "$binary")
mkdir -p "$scratch"
dict=()
[[ -f "$dicts/$name.dict" ]] && dict=(-dict="$dicts/$name.dict")
# -timeout: one input taking longer is a finding (hang), -rss_limit_mb: so is a memory blow-up.
exec "$binary" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$scratch" "$seeds"
