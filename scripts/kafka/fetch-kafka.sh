#!/usr/bin/env bash
# Puts a real Apache Kafka broker (org.apache.kafka:kafka_2.13, KRaft) and its runtime
# dependencies into .cache/kafka/libs, for the distributed-mode integration tests
# (test/support/kafka-broker.ts starts it with `java -cp ".cache/kafka/libs/*" kafka.Kafka`).
#
# Idempotent: does nothing when the jars of the pinned version are already there. Safe to run
# from several test processes at once (a lock serializes them; the directory appears atomically).
#
# Usage: scripts/kafka/fetch-kafka.sh [--force]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pom="$here/pom.xml"
cache="${SHIFTLEFT_KAFKA_CACHE:-$root/.cache/kafka}"
libs="$cache/libs"

version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
stamp="$libs/.complete-$version"

if [[ "${1:-}" != "--force" && -f "$stamp" ]]; then
  echo "kafka $version: already in $libs"
  exit 0
fi

command -v mvn >/dev/null 2>&1 || { echo "fetch-kafka: 'mvn' is not installed; cannot fetch Apache Kafka $version" >&2; exit 3; }

mkdir -p "$cache"
exec 9>"$cache/.fetch.lock"
flock 9
if [[ "${1:-}" != "--force" && -f "$stamp" ]]; then
  echo "kafka $version: already in $libs"
  exit 0
fi

tmp="$(mktemp -d "$cache/libs.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "kafka $version: resolving org.apache.kafka:kafka_2.13:$version and its runtime dependencies with Maven..."
start=$SECONDS
mvn -q -B -f "$pom" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$tmp" >"$cache/fetch.log" 2>&1 || {
  echo "fetch-kafka: mvn failed; see $cache/fetch.log" >&2
  tail -20 "$cache/fetch.log" >&2
  exit 1
}
ls "$tmp"/kafka_2.13-"$version".jar >/dev/null
touch "$tmp/.complete-$version"
rm -rf "$libs.old"
[[ -d "$libs" ]] && mv "$libs" "$libs.old"
mv "$tmp" "$libs"
rm -rf "$libs.old"
trap - EXIT
echo "kafka $version: $(ls "$libs" | wc -l) jars in $libs ($((SECONDS - start)) s)"
