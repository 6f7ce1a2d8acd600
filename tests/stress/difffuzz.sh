#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Stress case "differential fuzz": tests/stress/difffuzz.sh short|full (make test runs short, make
# stress full). Debian's python3 runs it: scapy (python3-scapy) is seen only there. See difffuzz.md.
here=$(dirname "$0")
if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
	echo "difffuzz: Debian's python3-scapy is missing; install it with scripts/deps.sh test" >&2
	echo "0 passed, 1 failed"
	exit 4
fi
exec /usr/bin/python3 "$here/difffuzz.py" "${@:-short}"
