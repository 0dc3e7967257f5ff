#!/usr/bin/env bash
# Fuzzes the data readers' Swift side with libFuzzer, a few minutes per
# format, from the bundled files as seeds. A crashing input is copied to
# Tests/Fuzz/Regressions/<format>-<hash> (replayed by a test: fix the reader,
# keep the file).
#
#   Tests/Fuzz/fuzz-readers.sh [SECONDS_PER_FORMAT]      (default 180)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-180}
build=.build/fuzz
swift build --scratch-path "$build" --product outcomes-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
bin="$build/debug/outcomes-fuzz"
files=Tests/DataFilesTests/Files
declare -A seeds=(
  [csv]="Datasets/veteran.csv Datasets/aml.csv $files/adtte.csv"
  [xpt]="$files/veteran.xpt $files/veteran.v8.xpt"
  [sas7bdat]="$files/veteran.sas7bdat"
  [dta]="$files/veteran.dta $files/labelled.dta"
  [sav]="$files/veteran.sav $files/labelled.sav"
  [sqlite]="$files/study.sqlite"
)
mkdir -p Tests/Fuzz/Regressions
for format in csv xpt sas7bdat dta sav sqlite; do
  corpus=$(mktemp -d)
  for s in ${seeds[$format]}; do cp "$s" "$corpus/"; done
  artifacts=$(mktemp -d)
  echo "fuzzing $format for ${seconds}s"
  OUTCOMES_FUZZ_FORMAT=$format "$bin" "$corpus" -max_total_time="$seconds" -max_len=262144 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|==.*ERROR)" || true
  for crash in "$artifacts"/*; do
    [ -e "$crash" ] || continue
    cp "$crash" "Tests/Fuzz/Regressions/$format-$(basename "$crash")"
    echo "finding: Tests/Fuzz/Regressions/$format-$(basename "$crash")"
  done
  rm -rf "$corpus" "$artifacts"
done
