#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/cli.sh: the command line as its option tables declare it (manager/opts.h). Every option of
# every table (read from the binary: `xdpkit help --dump`) is in its verb's --help, in the rendered
# xdpkit(8) and offered by the bash completion; `man --warnings` says nothing about the page; the
# completion function, run in bash with the script sourced, completes verbs, options, their values,
# interfaces, programs and map names (a map pinned in a private pin root on a private bpffs, and the
# maps of a program attached in a namespace of its own); with --json an error is one JSON object on
# stdout with the exit code of the plain run. No network traffic. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
if [ -z "${XK_CLI_PRIVATE:-}" ]; then
	XK_CLI_PRIVATE=1 exec scripts/private-mounts.sh "$BASH" "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || { echo "cli.sh: cannot mount a private bpffs"; exit 4; }

X=$PWD/build/xdpkit
MAN=build/man/xdpkit.8
COMP=build/completion/xdpkit
TMP=$(mktemp -d /tmp/xk-cli-XXXXXX)
NS=xkcli-$$
ROOT=/sys/fs/bpf/xk-cli-$$
trap 'ip netns del $NS 2>/dev/null; rm -rf "$TMP"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); [ -n "${V:-}" ] && echo "  ok    $1"; return 0; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '          %s\n' "$2"; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected: $2 | got: $3"; fi; }
# check_has WHAT NEEDLE HAYSTACK: NEEDLE is one of HAYSTACK's words
check_has() { if [[ " $(echo $3) " == *" $2 "* ]]; then ok "$1"; else fail "$1" "'$2' not in: $(echo $3 | head -c 400)"; fi; }

for f in "$X" "$MAN" "$COMP"; do
	[ -e "$f" ] || { echo "cli.sh: $f is missing; run 'make' (go-md2man makes the man page)"; exit 4; }
done

# ---- the tables, as the binary holds them ----
"$X" help --dump >"$TMP/dump.tsv" || fail "xdpkit help --dump exits 0"
# read's IFS=$'\t' would merge empty fields (a tab is white space to it): a separator that is not
tr '\t' '\037' <"$TMP/dump.tsv" >"$TMP/dump"
nopts=$(awk -F'\t' '$2 ~ /^--/' "$TMP/dump.tsv" | wc -l)
nverbs=$(awk -F'\t' '$5 == "verb"' "$TMP/dump.tsv" | wc -l)
[ "$nopts" -ge 30 ] && [ "$nverbs" -ge 15 ] && ok "the tables hold $nverbs verbs and $nopts options" ||
	fail "the tables hold verbs and options" "verbs $nverbs, options $nopts"

# ---- the man page ----
man --warnings -l "$MAN" >/dev/null 2>"$TMP/manwarn"
check_eq "man --warnings -l $MAN prints nothing on stderr" "" "$(cat "$TMP/manwarn")"
LC_ALL=C MANWIDTH=1000 man -l "$MAN" 2>/dev/null | col -b >"$TMP/man.txt"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS VERBS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES "SEE ALSO"; do
	grep -q "^$s\$" "$TMP/man.txt" && ok "man: section $s" || fail "man: section $s"
done
grep -q XDPKIT_PROG_DIR "$TMP/man.txt" && ok "man: ENVIRONMENT names XDPKIT_PROG_DIR" ||
	fail "man: ENVIRONMENT names XDPKIT_PROG_DIR"
# The man page's part about one verb: from its heading to the next verb's.
man_part() {
	if [ "$1" = global ]; then
		sed -n '/^OPTIONS$/,/^VERBS$/p' "$TMP/man.txt"
	else
		awk -v h="   xdpkit $1" '$0 == h { on = 1; next } on && /^   xdpkit / { exit } on && /^[A-Z]/ { exit } on' "$TMP/man.txt"
	fi
}

# ---- the completion, run as bash runs it ----
# complete WORD...: COMPREPLY for the command line WORD... (the last word is the one completed)
complete_words() {
	bash -c '
		source /usr/share/bash-completion/bash_completion 2>/dev/null
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_xdpkit xdpkit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' sh "$COMP" "$@"
}
# The same without bash-completion's helpers: COMP_WORDS as bash splits them (at '=' too).
complete_plain() {
	bash -c '
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_xdpkit xdpkit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' sh "$COMP" "$@"
}
check_eq "the script registers _xdpkit for xdpkit" "complete -F _xdpkit xdpkit" \
	"$(bash -c 'source "$1"; complete -p xdpkit' sh "$COMP")"

# ---- every option: in --help, in the man page, offered by the completion ----
while IFS=$'\037' read -r verb long short arg kind; do
	[[ $long == --* ]] || continue
	if [ "$verb" = global ]; then
		help=$("$X" help)
		cmd=("$X")
	else
		# shellcheck disable=SC2086
		help=$("$X" $verb --help)
		# shellcheck disable=SC2206
		cmd=("$X" $verb)
	fi
	label=$long
	[ -n "$short" ] && label="$short, $long"
	# an option's own line: the label, then its metavariable or its help
	grep -qE -- "^ +$label( |\$)" <<<"$help" && ok "$verb $long: in --help" ||
		fail "$verb $long: in --help" "no line starting with '$label'"
	man_part "$verb" | grep -qE -- "^ +$label( |\$)" && ok "$verb $long: in xdpkit(8)" ||
		fail "$verb $long: in xdpkit(8)" "no line starting with '$label' in its part of the page"
	check_has "$verb $long: completed from ${long:0:4}" "$long" "$(complete_words "${cmd[@]}" "${long:0:4}")"
	[ -n "$short" ] && check_has "$verb $short: completed from -" "$short" "$(complete_words "${cmd[@]}" -)"
	if [[ $kind == words:* ]]; then
		check_eq "$verb $long VALUE: completes to its words" "$(echo ${kind#words:} | tr ' ' '\n' | sort)" \
			"$(complete_words "${cmd[@]}" "$long" "" | sort)"
	fi
done <"$TMP/dump"

# every verb: its --help starts with its usage, and its man page part is there
while IFS=$'\037' read -r verb _ _ _ what; do
	[ "$what" = verb ] || continue
	# shellcheck disable=SC2086
	out=$("$X" $verb --help 2>&1)
	rc=$?
	check_eq "$verb --help exits 0" 0 $rc
	[[ $out == "Usage: xdpkit "*"$verb"* ]] && ok "$verb --help: usage line" || fail "$verb --help: usage line" "${out%%$'\n'*}"
	[ "$verb" = help ] && continue
	[ -n "$(man_part "$verb")" ] && ok "$verb: a part of xdpkit(8)" || fail "$verb: a part of xdpkit(8)"
done <"$TMP/dump"

# ---- completion cases ----
check_eq "xdpkit att -> attach" attach "$(complete_words xdpkit att)"
check_eq "xdpkit attach --mo -> --mode" --mode "$(complete_words xdpkit attach --mo)"
check_eq "xdpkit attach --mode '' -> native skb" "native skb" "$(echo $(complete_words xdpkit attach --mode ''))"
check_eq "xdpkit attach --mode=s -> --mode=skb" "--mode=skb" "$(complete_words xdpkit attach --mode=s)"
check_eq "plain bash: xdpkit att -> attach" attach "$(complete_plain xdpkit att)"
check_eq "plain bash: xdpkit attach --mode = s -> skb" skb "$(complete_plain xdpkit attach --mode = s)"
check_eq "plain bash: xdpkit attach --mode = '' -> native skb" "native skb" "$(echo $(complete_plain xdpkit attach --mode = ''))"
check_eq "plain bash: --mode = skb counts as one option: IFACE next" "$(ls /sys/class/net | sort)" \
	"$(complete_plain "$X" attach --mode = skb '' | sort)"
check_eq "xdpkit -j st -> status stats" "status stats" "$(echo $(complete_words xdpkit -j st))"
check_eq "xdpkit help at -> attach" attach "$(complete_words xdpkit help at)"
check_eq "xdpkit help map set: that command's help" "$("$X" map set --help)" "$("$X" help map set)"
check_eq "xdpkit map '' -> its commands" "show dump get set del load" "$(echo $(complete_words xdpkit map ''))"
check_eq "xdpkit map upd --p (alias of set: no --per-cpu)" "" "$(complete_words xdpkit map upd --p)"
check_has "xdpkit map dump --p -> --per-cpu" "--per-cpu" "$(complete_words xdpkit map dump --p)"
check_eq "xdpkit attach IFACE -- --m: no options after --" "" "$(complete_words xdpkit attach lo -- --m)"
check_eq "xdpkit bogus '': nothing for an unknown verb" "" "$(complete_words xdpkit bogus '')"
check_eq "xdpkit attach '' -> the interfaces" "$(ls /sys/class/net | sort)" "$(complete_words "$X" attach '' | sort)"
check_eq "xdpkit -n NS attach '' -> the namespace's interfaces" "" "$(complete_words "$X" -n "$NS" attach '')"
progs=$(complete_words "$X" attach lo '')
for p in build/*.bpf.o; do
	p=${p##*/}
	check_has "attach IFACE '' offers ${p%.bpf.o}" "${p%.bpf.o}" "$progs"
done
check_has "attach IFACE PROG '' offers programs again" count "$(complete_words "$X" attach lo hello '')"
check_has "attach IFACE build/co -> the object file" build/count.bpf.o "$(complete_words "$X" attach lo build/co)"
check_has "check '' offers programs" blocklist "$(complete_words "$X" check '')"
check_has "--pin-root /sys/fs/b -> a directory" /sys/fs/bpf "$(complete_words "$X" --pin-root /sys/fs/b)"

# map names: one pinned in our own pin root, and those of a program attached in our own namespace
# nsenter, not `ip -n`: that makes / a slave mount first, which fails where / is not a mount point
# (a chroot, as a fresh build root is).
ip netns add "$NS" && nsenter --net="/run/netns/$NS" ip link set lo up || fail "make namespace $NS"
check_eq "xdpkit -n NS attach '' -> the namespace's interfaces" lo "$(complete_words "$X" -n "$NS" attach '')"
mkdir -p "$ROOT"
bpftool map create "$ROOT/cli_test_map" type hash key 4 value 4 entries 8 name cli_test_map ||
	fail "bpftool map create $ROOT/cli_test_map"
check_eq "__complete maps: the map pinned in the pin root" cli_test_map \
	"$("$X" --pin-root "$ROOT" __complete maps)"
"$X" -n "$NS" --pin-root "$ROOT" attach lo count --mode skb >/dev/null 2>"$TMP/err" ||
	fail "attach count to lo of $NS" "$(cat "$TMP/err")"
maps=$(complete_words "$X" -n "$NS" --pin-root "$ROOT" map get '')
check_has "map get '': the pinned map" cli_test_map "$maps"
check_has "map get '': count's map (attached in the namespace)" count_proto "$maps"
check_eq "map get cli_: one completion" cli_test_map "$(complete_words "$X" --pin-root "$ROOT" map get cli_)"
check_eq "map get MAP '': nothing offered for a KEY" "" "$(complete_words "$X" --pin-root "$ROOT" map get cli_test_map '')"
check_has "map load MAP bui -> files" build "$(complete_words "$X" --pin-root "$ROOT" map load cli_test_map bui)"
# quiet by contract: not root, nothing there, a pin root that is not one
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$X" --pin-root "$ROOT" __complete maps 2>&1)
rc=$?
check_eq "__complete maps as nobody: nothing, exit 0" "0:" "$rc:$out"
out=$("$X" --pin-root /sys/fs/bpf/xk-cli-none-$$ -n nosuchns __complete maps 2>&1)
check_eq "__complete maps, no such namespace: nothing, exit 0" "0:" "$?:$out"
out=$("$X" --pin-root /tmp __complete maps 2>&1)
check_eq "__complete maps, a pin root off bpffs: nothing, exit 0" "0:" "$?:$out"
"$X" -n "$NS" --pin-root "$ROOT" detach lo --all --purge >/dev/null 2>&1

# ---- --json errors: one JSON object on stdout, the plain run's exit code, nothing on stderr ----
json_err() {
	local what=$1 hint=$2 plain_rc plain_err rc
	shift 2
	"$X" "$@" >/dev/null 2>"$TMP/plain"
	plain_rc=$?
	plain_err=$(head -1 "$TMP/plain")
	"$X" --json "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	check_eq "$what: --json exit code is the plain one ($plain_rc)" "$plain_rc" "$rc"
	[ "$rc" != 0 ] || fail "$what: fails at all"
	check_eq "$what: --json prints nothing on stderr" "" "$(cat "$TMP/err")"
	check_eq "$what: stdout is one JSON object" object "$(jq -s -r 'if length == 1 then .[0] | type else "\(length) documents" end' "$TMP/out" 2>&1)"
	check_eq "$what: .error is the plain line" "$plain_err" "xdpkit: $(jq -r .error "$TMP/out" 2>&1)"
	if [ -n "$hint" ]; then
		check_eq "$what: .hint is the plain hint" "$(sed -n 2p "$TMP/plain")" "hint: $(jq -r .hint "$TMP/out" 2>&1)"
	else
		check_eq "$what: no .hint" null "$(jq .hint "$TMP/out" 2>&1)"
	fi
}
json_err "unknown verb" "" bogus
json_err "unknown option" "" attach lo count --bogus
json_err "incomplete option" "" stats --interval
json_err "bad option value" "" attach lo count --prio 70000
json_err "global option without its value" "" status --pin-root
json_err "no such interface" "" -n "$NS" status nosuch0
json_err "no such map" "" --pin-root "$ROOT" map get nosuchmap 1
json_err "pin root off bpffs" "" --pin-root /tmp status
json_err "object without the hook, with a hint" hint -n "$NS" attach lo ratelimit --tc ingress
check_eq "--json and -j are the same" "$("$X" --json bogus)" "$("$X" -j bogus 2>/dev/null)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
