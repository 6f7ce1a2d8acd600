#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# List the source files whose first line (the second after a shebang) carries no SPDX-License-Identifier;
# exit 1 if there is one. Source files: C, headers, shell, Python, jq, Makefiles, debian/rules, the
# extension-less scripts (run, .ci/run, scripts/vm/init) and xdpkit.pc.in. The license of each: LICENSE.
# Usage: scripts/spdx-check.sh   (from anywhere in a git checkout)
set -eu
cd "$(dirname "$0")/.."
missing=0
for f in $(git ls-files -co --exclude-standard -- '*.c' '*.h' '*.sh' '*.py' '*.jq' '*Makefile' \
	debian/rules run .ci/run scripts/vm/init xdpkit.pc.in); do
	[ -f "$f" ] || continue
	if head -1 "$f" | grep -q '^#!'; then line=$(sed -n 2p "$f"); else line=$(head -1 "$f"); fi
	case "$line" in
	*SPDX-License-Identifier:\ ?*) ;;
	*) echo "$f: no SPDX-License-Identifier in its first line (see LICENSE)"; missing=1 ;;
	esac
done
exit $missing
