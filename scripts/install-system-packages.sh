#!/usr/bin/env bash
# Install the Debian packages the tests need, once: a no-op when all are present.
# Used by `make test` and (through it) by .ci/run. Uses sudo when not run as root.
#   scripts/install-system-packages.sh           install what is missing
#   scripts/install-system-packages.sh --check   only list what is missing (exit 1 if anything is)
set -euo pipefail

# One line per package: "debian-package:what shows it is installed" (a command on PATH, or an absolute file).
PACKAGES=(
  "graphviz:dot"                                         # renders the DOT exports
  "chromium:chromium"                                    # renders the HTML report (Playwright)
  "default-jre-headless:java"                            # runs Apache Jena's SHACL validator
  "libapache-jena-java:/usr/share/java/jena-shacl.jar"   # cross-checks our SHACL engine
  "virtuoso-opensource:virtuoso-t"                       # a second SPARQL server for the remote tests
)

missing=()
for entry in "${PACKAGES[@]}"; do
  package=${entry%%:*}
  probe=${entry#*:}
  if [[ $probe == /* ]]; then
    [[ -e $probe ]] || missing+=("$package")
  else
    command -v "$probe" >/dev/null 2>&1 || missing+=("$package")
  fi
done

if [[ ${1:-} == --check ]]; then
  ((${#missing[@]})) && { echo "missing system packages: ${missing[*]}"; exit 1; }
  exit 0
fi
((${#missing[@]})) || exit 0

echo "installing system packages the tests need: ${missing[*]}" >&2
SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
