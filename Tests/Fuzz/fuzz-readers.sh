#!/usr/bin/env bash
# Fuzzes the data readers' Swift side and the text front ends (formula,
# --where, report spec, claims file, manuscript scanner) with libFuzzer, and
# the parallel CSV reader against the one-pass reader (csv-parts), a
# few minutes per target, from the bundled files as seeds. A crashing input
# (or one over 10 s, or over 2 GB) is copied to
# Tests/Fuzz/Regressions/<target>-<hash> (replayed by a test: fix the code,
# keep the file).
#
#   Tests/Fuzz/fuzz-readers.sh [SECONDS_PER_TARGET] [TARGET...]   (default 180, every target)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-180}
# libFuzzer reports a crash itself; Swift's backtracer would hold the pipe open.
export SWIFT_BACKTRACE=enable=no
build=.build/fuzz
swift build --scratch-path "$build" --product outcomes-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
bin="$build/debug/outcomes-fuzz"
files=Tests/DataFilesTests/Files
declare -A seeds=(
  [csv]="Datasets/veteran.csv Datasets/aml.csv $files/adtte.csv"
  [csv-parts]="Datasets/veteran.csv Datasets/aml.csv Datasets/lung.csv $files/adtte.csv"
  [xpt]="$files/veteran.xpt $files/veteran.v8.xpt"
  [sas7bdat]="$files/veteran.sas7bdat"
  [dta]="$files/veteran.dta $files/labelled.dta"
  [sav]="$files/veteran.sav $files/labelled.sav"
  [sqlite]="$files/study.sqlite"
  [spec]="Reports/lung/spec.yaml Reports/6mp/spec.yaml Reports/osteonecrosis/spec.yaml"
  [claims]="$(ls Reports/claims/*.yaml | tr '\n' ' ')"
  [manuscript]="Tests/CheckTests/manuscript.md"
)
# Seeds written inline: formulas and filters as a user types them.
declare -A inline=(
  [formula]=$'Surv(time, status) ~ age + sex\nSurv(start, time, status) ~ factor(arm) * sex + strata(sex)\nstatus == 1 ~ poly(age, 2) + ns(wt, df = 3) + cut(age, c(0, 50, 100))\nSurv(time, status) ~ (age + sex + arm)^2 - sex:arm + offset(log(wt))\nSurv(time/30.4375, status) ~ I(age > 60) + relevel(factor(arm), ref = "b") + pmin(age, 70)'
  [where]=$'age >= 18 & arm != \'b\'\n!(sex == 2) | is.na(wt)\narm %in% c("a", "b") & time > 3\nwt < 75 & (sex == 1 | age <= 50)'
)
targets=("${@:2}")
[ ${#targets[@]} -gt 0 ] || targets=(csv csv-parts xpt sas7bdat dta sav sqlite formula where spec claims manuscript)
mkdir -p Tests/Fuzz/Regressions
for format in "${targets[@]}"; do
  corpus=$(mktemp -d)
  for s in ${seeds[$format]:-}; do cp "$s" "$corpus/"; done
  if [ -n "${inline[$format]:-}" ]; then
    k=0
    while IFS= read -r line; do k=$((k + 1)); printf '%s' "$line" > "$corpus/seed-$k"; done <<< "${inline[$format]}"
  fi
  artifacts=$(mktemp -d)
  echo "fuzzing $format for ${seconds}s"
  OUTCOMES_FUZZ_FORMAT=$format "$bin" "$corpus" -max_total_time="$seconds" -max_len=262144 \
    -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==.*ERROR)" || true
  for crash in "$artifacts"/*; do
    [ -e "$crash" ] || continue
    cp "$crash" "Tests/Fuzz/Regressions/$format-$(basename "$crash")"
    echo "finding: Tests/Fuzz/Regressions/$format-$(basename "$crash")"
  done
  rm -rf "$corpus" "$artifacts"
done
