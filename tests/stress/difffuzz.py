#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Differential fuzz: random, mutated and truncated frames through every program and hook with
BPF_PROG_TEST_RUN (build/difffuzz-run), each verdict, pong's output bytes and every map at each
epoch end compared with an independent reference model (difffuzz_model.py).

usage: tests/stress/difffuzz.py short|full [--seed N]... [--frames N] [--only TEXT] [--keep]
       tests/stress/difffuzz.py replay FILE|hex:FRAME[,FRAME...] RUN [--split]
  short   20,000 frames per program and hook: seed 1, then a random seed (printed)
  full    1,050,000 frames per program and hook: seed 1 and a random seed, 525,000 each
  replay  run a saved corpus (build/difffuzz/fail-*.frames), or frames given in hex, through
          one run, e.g. pong/pong; --split makes every frame an epoch of its own, so a map
          difference names its frame
Environment: DIFFFUZZ_SEED fixes the random seed; DIFFFUZZ_BUILD is the build directory.
Needs root. Ends with "N passed, N failed"; non-zero exit on any failure.
"""
import array
import os
import random
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import difffuzz_gen as G  # noqa: E402
import difffuzz_model as M  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get('DIFFFUZZ_BUILD', os.path.join(ROOT, 'build'))
OUTDIR = os.path.join(BUILD, 'difffuzz')
RUNNER = os.path.join(BUILD, 'difffuzz-run')

MODES = {  # frames per seed, templates per seed, epoch length
    'short': (10_000, 300, 4_000),
    'full': (525_000, 1_500, 25_000),  # 1,050,000: tc runs stay above 1M after refusals
}
FIXED_SEED = 1
# Sources without a rules-written bucket that one epoch may see: far below the LRU's 65536, so
# nothing is ever evicted.
NEW_SOURCES_MAX = 20_000
MAX_REPORTED = 5  # mismatches shown (and saved) per run
REFUSED = 'refused by the kernel (EINVAL)'
VERDICT_CODE = {M.PASS: 0, M.DROP: 1, M.TX: 2, REFUSED: 3}
CODE_VERDICT = {v: k for k, v in VERDICT_CODE.items()}
EINVAL = 22


def rules_blocklist(match_dst):
    r = [('blocklist_v4', a, bytes(8)) for a in G.BL_EXACT4]
    r += [('blocklist_v6', a, bytes(8)) for a in G.BL_EXACT6]
    r += [('blocklist_cidr4', struct.pack('<I', pl) + n, bytes(8)) for pl, n in G.BL_CIDR4]
    r += [('blocklist_cidr6', struct.pack('<I', pl) + n, bytes(8)) for pl, n in G.BL_CIDR6]
    # Only `match`: the tries are consulted whatever else the config holds.
    return r + [('blocklist_cfg', bytes(4), struct.pack('<I', 1 if match_dst else 0))]


def rules_portfilter(allow_only):
    r = [('portfilter_ports', struct.pack('!H', p), bytes(8)) for p in G.PF_PORTS]
    return r + [('portfilter_cfg', bytes(4), struct.pack('<I', 1 if allow_only else 0))]


def rules_ratelimit(rate):
    r = [('ratelimit_cfg', bytes(4), struct.pack('<QQ', rate, G.RL_BURST))]
    return r + [('ratelimit_buckets', k, struct.pack('<QQQ', *v))
                for k, v in G.ratelimit_buckets().items()]


# Model configurations: (rules, factory). Each is run on every hook its program has.
CONFIGS = {
    'hello': ([], lambda: M.Hello(M.PASS)),
    'hello_drop': ([], lambda: M.Hello(M.DROP)),
    'count': ([], lambda: M.Count()),
    'blocklist-src': (rules_blocklist(False), lambda: M.Blocklist(
        G.BL_EXACT4, G.BL_EXACT6, G.BL_CIDR4, G.BL_CIDR6, match_dst=False)),
    'blocklist-dst': (rules_blocklist(True), lambda: M.Blocklist(
        G.BL_EXACT4, G.BL_EXACT6, G.BL_CIDR4, G.BL_CIDR6, match_dst=True)),
    'portfilter-deny': (rules_portfilter(False), lambda: M.Portfilter(G.PF_PORTS)),
    'portfilter-allow': (rules_portfilter(True), lambda: M.Portfilter(
        G.PF_PORTS, allow_only=True)),
    'ratelimit': (rules_ratelimit(G.RL_RATE), lambda: M.Ratelimit(
        G.RL_RATE, G.RL_BURST, G.ratelimit_buckets())),
    'ratelimit-off': (rules_ratelimit(0), lambda: M.Ratelimit(
        0, G.RL_BURST, G.ratelimit_buckets())),
    'pong': ([], lambda: M.Pong()),
    # The negative control: portfilter-deny's rules, a model that does not know port 53.
    'control-portfilter': (rules_portfilter(False), lambda: M.Portfilter(
        [p for p in G.PF_PORTS if p != 53])),
}
# Objects and the configurations each is fuzzed under: every program of the object (xdp, tc, an
# xdp.frags twin, ...) runs under each, found with `difffuzz-run --list`.
OBJECTS = {
    'hello': ['hello'],
    'hello_drop': ['hello_drop'],
    'count': ['count'],
    'blocklist': ['blocklist-src', 'blocklist-dst'],
    'portfilter': ['portfilter-deny', 'portfilter-allow'],
    'ratelimit': ['ratelimit', 'ratelimit-off'],
    'pong': ['pong'],
}
RUNS = {}  # 'config/program' -> (config, object, program, hook)
CONTROL = 'control-portfilter/portfilter'


def discover_runs():
    """Every XDP and TC program of every object; problems as text."""
    problems = []
    RUNS[CONTROL] = ('control-portfilter', 'portfilter', 'portfilter', 'xdp')
    for obj, configs in OBJECTS.items():
        path = os.path.join(BUILD, obj + '.bpf.o')
        proc = subprocess.run([RUNNER, '--list', path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode:
            problems.append('%s: %s' % (path, proc.stderr.strip() or 'cannot list programs'))
            continue
        for line in proc.stdout.splitlines():
            name, section, hook = line.split()
            if hook not in M.HOOK_RETVAL:
                problems.append('%s: program %s (section %s) is neither XDP nor TC: no model' % (
                    path, name, section))
                continue
            for config in configs:
                RUNS['%s/%s' % (config, name)] = (config, obj, name, hook)
    return problems


class Corpus:
    """Frames fed to the model of every (configuration, hook) as they are written to the corpus
    file (the tc models skip the frames the kernel refuses to run on an skb), cut into epochs: at
    most epoch_len frames, and closed early before a frame would give a source without a
    rules-written bucket more than burst frames, or bring the epoch's new sources past
    NEW_SOURCES_MAX (that keeps the ratelimit model exact and the bucket LRU from evicting)."""

    def __init__(self, path, keys, epoch_len):
        self.path = path
        self.file = open(path, 'wb')
        self.epoch_len = epoch_len
        self.models = {key: CONFIGS[key[0]][1]() for key in keys}
        self.codes = {key: bytearray() for key in keys}
        self.outputs = {key: {} for key in keys}
        self.lens = array.array('H')
        self.offsets = array.array('Q')  # file offset of every frame record
        self.epochs = []  # (first frame, frame count, {config: (expected, extra state)})
        self.epoch_start = 0
        self.pos = 0
        self.rl = self.models.get(('ratelimit', 'xdp'))

    def add(self, buf):
        p = M.parse(buf)
        n = len(self.lens)
        if n - self.epoch_start >= self.epoch_len:
            self.end_epoch()
        elif self.rl is not None and p.ip:
            seen = self.rl.new_source_frames(M.ratelimit_key(buf, p))
            if seen is not None and (seen >= max(G.RL_BURST, 1) or
                                     (not seen and len(self.rl.new) >= NEW_SOURCES_MAX)):
                self.end_epoch()
        self.offsets.append(self.pos)
        self.file.write(struct.pack('<H', len(buf)))
        self.file.write(buf)
        self.pos += 2 + len(buf)
        self.lens.append(len(buf))
        refused = M.test_run_refuses(buf, 'tc')
        for key, model in self.models.items():
            if refused and key[1] == 'tc':
                self.codes[key].append(VERDICT_CODE[REFUSED])
                continue
            v, out = model.decide(buf, p)
            self.codes[key].append(VERDICT_CODE[v])
            if out is not None:
                self.outputs[key][n] = out

    def end_epoch(self):
        n = len(self.lens)
        if n == self.epoch_start and self.epochs:
            return
        self.file.write(b'\0\0')
        self.pos += 2
        states = {}
        for name, model in self.models.items():
            states[name] = (model.expected(), model.extra_state())
            model.reset()
        self.epochs.append((self.epoch_start, n - self.epoch_start, states))
        self.epoch_start = n

    def close(self):
        self.end_epoch()
        self.file.close()

    def frame(self, i):
        with open(self.path, 'rb') as f:
            f.seek(self.offsets[i])
            n = struct.unpack('<H', f.read(2))[0]
            return f.read(n)

    def epoch_of(self, i):
        for e, (start, count, _) in enumerate(self.epochs):
            if start <= i < start + count:
                return e
        raise IndexError(i)

    def save(self, path, first, last):
        """Frames first..last (inclusive) as a corpus of one epoch."""
        if not self.file.closed:
            self.file.flush()
        with open(self.path, 'rb') as f, open(path, 'wb') as out:
            f.seek(self.offsets[first])
            out.write(f.read(self.offsets[last] + 2 + self.lens[last] - self.offsets[first]))
            out.write(b'\0\0')


def read_corpus(path):
    """A saved corpus: frames, and None where an epoch ends."""
    data = open(path, 'rb').read()
    pos, items = 0, []
    while pos < len(data):
        n = struct.unpack_from('<H', data, pos)[0]
        pos += 2
        items.append(data[pos:pos + n] if n else None)
        pos += n
    return items


def read_maps(path):
    """The runner's map dumps: [(frames, {map: {key: value}})]; '.bss' maps under '.bss'."""
    epochs, cur = [], None
    with open(path) as f:
        for line in f:
            w = line.split()
            if w[0] == 'prog':
                continue
            if w[0] == 'epoch':
                cur = {}
                epochs.append((int(w[2]), cur))
            elif w[0] == 'end':
                cur = None
            else:
                name = '.bss' if w[0].endswith('.bss') else w[0]
                cur.setdefault(name, {})[bytes.fromhex(w[1])] = bytes.fromhex(w[2])
    return epochs


def read_outputs(path):
    data = open(path, 'rb').read()
    pos, outs = 0, {}
    while pos < len(data):
        idx, n = struct.unpack_from('<IH', data, pos)
        outs[idx] = data[pos + 6:pos + 6 + n]
        pos += 6 + n
    return outs


def hexdump(b):
    return ' '.join(b[i:i + 16].hex() for i in range(0, len(b), 16))


def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def compare_maps(got, want, allowed):
    """Problems between a dumped epoch and the model's: every modelled map equal (values
    compared as the model's bytes zero-filled to the map's size), extra keys only where allowed,
    and every map the model does not know empty or zero. Returns (problems, leaked): leaked
    counts the entries nothing should have made."""
    problems, leaked = [], 0
    for m in sorted(set(got) | set(want)):
        g, w = got.get(m, {}), want.get(m)
        if w is None:
            stray = [k for k, v in g.items() if any(v)]
            leaked += len(stray)
            for k in stray[:3]:
                problems.append('%s: unexpected non-zero entry %s = %s' % (m, k.hex(), g[k].hex()))
            continue
        ok_extra = allowed.get(m, ())
        for k in sorted(set(g) | set(w)):
            gv, wv = g.get(k), w.get(k)
            if wv is None:
                if k not in ok_extra:
                    leaked += 1
                    problems.append('%s: unexpected key %s = %s' % (m, k.hex(), gv.hex()))
            elif gv is None:
                problems.append('%s: key %s missing (want %s)' % (m, k.hex(), wv.hex()))
            elif gv != wv.ljust(len(gv), b'\0'):
                problems.append('%s[%s]: want %s, got %s' % (m, k.hex(), wv.hex(), gv.hex()))
    return problems, leaked


def describe_stats(values):
    """xdpkit_stats slots as text."""
    names = ['aborted', 'drop', 'pass', 'tx', 'redirect', 'malformed']
    return ', '.join('%s %d' % (names[i], values.get(i, (0, 0))[0]) for i in range(6))


def run_one(run, corpus, tag, rules_dir, save=True):
    """Run one program on the corpus and compare. Returns (ok, problems, figures, (frames that
    differ, map differences)); with save, each difference is saved for a replay."""
    config, obj, prog, hook = RUNS[run]
    safe = run.replace('/', '-')
    rules = os.path.join(rules_dir, 'rules-%s.txt' % config)
    prefix = os.path.join(OUTDIR, 'out-%s-%s' % (tag, safe))
    t0 = time.monotonic()
    proc = subprocess.run([RUNNER, os.path.join(BUILD, obj + '.bpf.o'), prog, rules, corpus.path,
                           prefix], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs = time.monotonic() - t0
    if proc.returncode:
        return False, ['runner failed (exit %d): %s' % (proc.returncode, proc.stderr.strip())], \
            '', (0, 0)
    replay = 'replay: %s replay %%s %s' % (sys.argv[0], run)
    fail_path = os.path.join(OUTDIR, 'fail-%s-%s-%%s.frames' % (tag, safe)) if save else None
    problems, differ, aborted = compare_frames(corpus, (config, hook), hook, prefix, fail_path,
                                               replay)
    more, counts = compare_epochs(corpus, (config, hook), prefix, fail_path, replay)
    problems += more
    if aborted:
        problems.append('%d frames got XDP_ABORTED' % aborted)
    refused = corpus.codes[(config, hook)].count(VERDICT_CODE[REFUSED])
    figures = ('%d frames in %d epochs%s: %s; %d mismatches, %d map differences, lost %d, '
               'leaked %d; %.0f frames/s' % (
                   len(corpus.lens), len(corpus.epochs), ' (%d refused by the kernel)' % refused
                   if refused else '', describe_stats(counts['stats']), differ,
                   counts['map_problems'], counts['lost'], counts['leaked'],
                   len(corpus.lens) / secs if secs > 0 else 0))
    for ext in ('res', 'out', 'maps'):
        os.unlink(prefix + '.' + ext)
    return not problems, problems, figures, (differ, counts['map_problems'])


def compare_frames(corpus, key, hook, prefix, fail_path, replay):
    """Each frame's retval, output length and flags, and output bytes against the model.
    Returns (problems, frames that differ, frames that got XDP_ABORTED)."""
    nframes = len(corpus.lens)
    got = array.array('I')
    got.frombytes(open(prefix + '.res', 'rb').read())
    if sys.byteorder != 'little':
        got.byteswap()
    if len(got) != 2 * nframes:
        return ['runner wrote %d results for %d frames' % (len(got) // 2, nframes)], nframes, 0
    got_ret, got_lf = got[0::2], got[1::2]
    codes = corpus.codes[key]
    table = M.HOOK_RETVAL[hook]
    retval_of = [table.get(CODE_VERDICT[c], 0xDEAD) for c in range(3)] + [EINVAL]
    want_ret = array.array('I', [retval_of[c] for c in codes])
    # output length | flags << 16: the frame's length, flag 1 with a reply; 0 | 2 when refused
    want_lf = array.array('I', [2 << 16 if c == 3 else n | (c == 2) << 16
                                for n, c in zip(corpus.lens, codes)])
    bad = set()
    if got_ret != want_ret or got_lf != want_lf:
        bad = {i for i in range(nframes) if got_ret[i] != want_ret[i] or got_lf[i] != want_lf[i]}
    want_out, got_out = corpus.outputs[key], read_outputs(prefix + '.out')
    bad |= {i for i in set(want_out) | set(got_out) if want_out.get(i) != got_out.get(i)}
    aborted = got_ret.count(0) if hook == 'xdp' else 0
    problems = []
    for i in sorted(bad)[:MAX_REPORTED]:
        e = corpus.epoch_of(i)
        frame = corpus.frame(i)
        lines = ['frame %d (epoch %d, %d bytes): %s' % (i, e, len(frame), hexdump(frame)),
                 '  want %s (retval %#x), got retval %#x%s' % (
                     CODE_VERDICT[codes[i]], want_ret[i], got_ret[i],
                     ' (run refused: errno %d)' % got_ret[i] if got_lf[i] >> 16 & 2 else '')]
        w, g = want_out.get(i), got_out.get(i)
        if w != g:
            lines.append('  output differs first at byte %d:\n    want %s\n    got  %s' % (
                first_diff(w or frame, g or frame), hexdump(w) if w else 'the input unchanged',
                hexdump(g) if g else 'the input unchanged'))
        if fail_path:
            path = fail_path % ('f%d' % i)
            corpus.save(path, corpus.epochs[e][0], i)
            lines.append('  ' + replay % path)
        problems.append('\n'.join(lines))
    if len(bad) > MAX_REPORTED:
        problems.append('... %d frames differ in all' % len(bad))
    return problems, len(bad), aborted


def compare_epochs(corpus, key, prefix, fail_path, replay):
    """Every epoch's map dump against the model's: exact maps, the model's own extra checks, and
    nothing lost (the verdict counters count every frame run). Returns (problems, counts)."""
    dumps = read_maps(prefix + '.maps')
    problems = []
    if len(dumps) != len(corpus.epochs):
        problems.append('runner dumped %d epochs, the corpus has %d' % (len(dumps),
                                                                        len(corpus.epochs)))
    model = CONFIGS[key[0]][1]()
    codes = corpus.codes[key]
    counts = dict(map_problems=0, lost=0, leaked=0, stats={})
    bad_epochs = 0
    for e, ((frames, dump), (start, count, states)) in enumerate(zip(dumps, corpus.epochs)):
        want, extra = states[key]
        errs = []
        if frames != count:
            errs.append('runner ran %d frames in the epoch, the corpus has %d' % (frames, count))
        errs_maps, leaked = compare_maps(dump, want, model.allowed_extra(extra))
        errs += errs_maps + model.check_extra(dump, extra)
        counts['leaked'] += leaked
        stats = {struct.unpack('<I', k)[0]: struct.unpack('<QQ', v[:16])
                 for k, v in dump.get('xdpkit_stats', {}).items()}
        counted = sum(stats.get(s, (0, 0))[0] for s in range(M.STAT_MALFORMED))
        run = count - codes[start:start + count].count(VERDICT_CODE[REFUSED])
        counts['lost'] += run - counted
        if counted != run:
            errs.append('xdpkit_stats counts %d verdicts for %d frames run' % (counted, run))
        for s, (packets, _) in stats.items():
            counts['stats'][s] = (counts['stats'].get(s, (0, 0))[0] + packets, 0)
        if not errs:
            continue
        counts['map_problems'] += len(errs)
        bad_epochs += 1
        if bad_epochs > MAX_REPORTED:
            continue
        what = 'frames %d..%d' % (start, start + count - 1) if count != 1 else \
            'frame %d: %s' % (start, hexdump(corpus.frame(start)))
        text = 'epoch %d (%s) maps:\n  %s' % (e, what, '\n  '.join(errs[:8]))
        if fail_path:
            path = fail_path % ('e%d' % e)
            corpus.save(path, start, start + count - 1)
            text += '\n  ' + replay % path
        problems.append(text)
    if bad_epochs > MAX_REPORTED:
        problems.append('... %d map differences in %d epochs in all' % (counts['map_problems'],
                                                                     bad_epochs))
    return problems, counts


def write_rules(configs):
    os.makedirs(OUTDIR, exist_ok=True)
    for name in configs:
        with open(os.path.join(OUTDIR, 'rules-%s.txt' % name), 'w') as f:
            for m, k, v in CONFIGS[name][0]:
                f.write('%s %s %s\n' % (m, k.hex(), v.hex()))


def self_check(gen):
    """The model against scapy on the seed frames: a checksum scapy computes the same way must
    verify in the model, and every reply the model builds must carry the checksums scapy
    computes for it, the swapped addresses, TTL / hop limit 64 and the reply type."""
    from scapy.all import ICMP, IP, Ether, IPv6, ICMPv6EchoReply, IPv6ExtHdrRouting
    problems, checked = [], 0
    pong = M.Pong()
    for t in gen.templates:
        p = M.parse(t)
        if p.rc != M.PARSE_OK or p.frag != M.FRAG_NONE or p.l4 < 0:
            continue
        if p.ip == 4:
            hl = (t[p.l3] & 15) * 4
            ip = Ether(t)[IP]
            c = ip.chksum
            del ip.chksum
            scapy_ok = IP(bytes(ip)[:hl]).chksum == c or (c == 0xFFFF and not
                                                            IP(bytes(ip)[:hl]).chksum)
            if scapy_ok != M.csum_ok(t[p.l3:p.l3 + hl]):
                problems.append('IPv4 header checksum verdict differs from scapy: %s' % t.hex())
        v, out = pong.decide(t, p)
        if out is None:
            continue
        checked += 1
        r = Ether(out)
        if p.ip == 4:
            ip, icmp = r[IP], r[ICMP]
            want = (ip.chksum, icmp.chksum)
            del ip.chksum, icmp.chksum
            rebuilt = Ether(bytes(r))
            got = (rebuilt[IP].chksum, rebuilt[ICMP].chksum)
            fields = (ip.ttl, icmp.type, ip.src, ip.dst)
            orig = Ether(t)[IP]
            want_fields = (64, 0, orig.dst, orig.src)
        else:
            if (r.haslayer(IPv6ExtHdrRouting) and r[IPv6ExtHdrRouting].segleft or
                    not r.haslayer(ICMPv6EchoReply)):
                continue  # scapy sums a routing header's final destination; scapy cannot
                # dissect past a mobility header
            ip, icmp = r[IPv6], r[ICMPv6EchoReply]
            want = (icmp.cksum,)
            del icmp.cksum
            got = (Ether(bytes(r))[ICMPv6EchoReply].cksum,)
            fields = (ip.hlim, icmp.type, ip.src, ip.dst)
            orig = Ether(t)[IPv6]
            want_fields = (64, 129, orig.dst, orig.src)
        # Zero has two forms: scapy writes 0x0000 where pong writes 0xffff.
        same = all(g == w or {g, w} == {0, 0xFFFF} for g, w in zip(got, want))
        if want[-1] == 0:
            same = False  # the ICMP/ICMPv6 checksum of a reply is never written as 0x0000
        if not same or fields != want_fields or out[:6] != t[6:12] or out[6:12] != t[:6]:
            problems.append('reply differs from scapy (checksums %s vs %s, fields %s vs %s): %s'
                            % (want, got, fields, want_fields, out.hex()))
    return problems, checked


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ('short', 'full', 'replay'):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print('difffuzz: BPF_PROG_TEST_RUN needs root; run it as root (make test does)',
              file=sys.stderr)
        print('0 passed, 1 failed')
        return 4
    if not os.access(RUNNER, os.X_OK):
        print('difffuzz: %s missing; run make %s first' % (RUNNER, os.path.relpath(RUNNER, ROOT)),
              file=sys.stderr)
        print('0 passed, 1 failed')
        return 4
    problems = discover_runs()
    if problems:
        for p in problems:
            print('difffuzz: ' + p, file=sys.stderr)
        print('0 passed, 1 failed')
        return 1
    os.makedirs(OUTDIR, exist_ok=True)
    write_rules(CONFIGS)
    passed = failed = 0

    def report(ok, name, figures, problems):
        nonlocal passed, failed
        print('%s %s%s' % ('ok  ' if ok else 'FAIL', name, ': ' + figures if figures else ''))
        for p in problems:
            print('  ' + p.replace('\n', '\n  '))
        sys.stdout.flush()
        if ok:
            passed += 1
        else:
            failed += 1

    if args[0] == 'replay':
        split = args[3:] == ['--split']
        if len(args) != 3 + split or args[2] not in RUNS:
            print('usage: difffuzz.py replay FILE|hex:FRAME[,FRAME...] RUN [--split]; runs: %s'
                  % ' '.join(RUNS), file=sys.stderr)
            return 2
        run = args[2]
        corpus = Corpus(os.path.join(OUTDIR, 'replay.frames'), [(RUNS[run][0], RUNS[run][3])],
                        1 << 30)
        items = [bytes.fromhex(h) for h in args[1][4:].split(',')] + [None] \
            if args[1].startswith('hex:') else read_corpus(args[1])
        for item in items:
            if item is None:
                corpus.end_epoch()
            else:
                corpus.add(item)
                if split:
                    corpus.end_epoch()
        corpus.close()
        ok, problems, figures, _ = run_one(run, corpus, 'replay', OUTDIR)
        report(ok, run + ' (replay of %s)' % args[1], figures, problems)
        print('%d passed, %d failed' % (passed, failed))
        return 1 if failed else 0

    mode = args[0]
    frames, ntemplates, epoch_len = MODES[mode]
    seeds, only, keep = [], None, False
    i = 1
    while i < len(args):
        if args[i] == '--seed':
            seeds.append(int(args[i + 1], 0))
            i += 2
        elif args[i] == '--frames':
            frames = int(args[i + 1])
            i += 2
        elif args[i] == '--only':
            only = args[i + 1]
            i += 2
        elif args[i] == '--keep':
            keep = True
            i += 1
        else:
            print('difffuzz: unknown argument %s' % args[i], file=sys.stderr)
            return 2
    if not seeds:
        rand = int(os.environ.get('DIFFFUZZ_SEED', '0'), 0) or random.SystemRandom().randrange(
            1, 1 << 32)
        seeds = [FIXED_SEED, rand]
    runs = [r for r in RUNS if r != CONTROL and (not only or only in r)]
    keys = sorted({(RUNS[r][0], RUNS[r][3]) for r in runs + [CONTROL]})
    print('difffuzz %s: seeds %s, %d frames per seed; replay a seed with: %s %s --seed N' % (
        mode, ' '.join(str(s) for s in seeds), frames, sys.argv[0], mode))
    for seed in seeds:
        t0 = time.monotonic()
        gen = G.Generator(seed, ntemplates)
        t1 = time.monotonic()
        tag = 's%d' % seed
        corpus = Corpus(os.path.join(OUTDIR, 'corpus-%s.frames' % tag), keys, epoch_len)
        for _ in range(frames):
            corpus.add(gen.frame())
        corpus.close()
        t2 = time.monotonic()
        print('seed %d: %d templates (scapy) in %.1f s; %d frames generated and modelled in '
              '%.1f s (%.0f frames/s), %d epochs, %.1f MB' % (
                  seed, ntemplates, t1 - t0, frames, t2 - t1, frames / max(t2 - t1, 1e-9),
                  len(corpus.epochs), os.path.getsize(corpus.path) / 1e6))
        problems, checked = self_check(gen)
        report(not problems and checked > 0, 'model vs scapy, seed %d' % seed,
               '%d templates, %d replies checked' % (len(gen.templates), checked),
               problems[:MAX_REPORTED] or ([] if checked else ['no reply to check']))
        for run in runs:
            ok, problems, figures, _ = run_one(run, corpus, tag, OUTDIR)
            report(ok, '%s seed %d' % (run, seed), figures, problems)
        if seed == seeds[0]:
            # The comparison can fail: the model is told port 53 is not listed, the program's
            # rules list it; every difference must show.
            ok, _, _, (caught, maps) = run_one(CONTROL, corpus, tag, OUTDIR, save=False)
            report(not ok and caught > 0 and maps > 0, 'negative control (a model wrong about '
                   'port 53) seed %d' % seed, 'caught: %d frames and %d map entries differ' % (
                       caught, maps), [] if caught and maps else ['the wrong model went unseen'])
        if not keep:
            os.unlink(corpus.path)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
