# SPDX-License-Identifier: GPL-2.0-only
"""Reference model of the xdpkit programs for the differential fuzz (tests/stress/difffuzz.py).

What each program does with a frame, its output bytes and its counters, written from the documented
rules (docs/<prog>.md, README.md, the parser's header comment), not from the BPF code. Frames are
parsed with plain byte indexing, never scapy, so a million frames take seconds.
"""
import struct

# Parser outcome: every header present was read / the frame ends inside a header / a header that
# cannot be true, or more VLAN tags or IPv6 extension headers than the parser walks.
PARSE_OK, PARSE_CUT, PARSE_BAD = 0, 1, 2
FRAG_NONE, FRAG_FIRST, FRAG_LATER = 0, 1, 2

ETH_P_IP, ETH_P_IPV6, ETH_P_ARP = 0x0800, 0x86DD, 0x0806
VLAN_TPIDS = (0x8100, 0x88A8)
MAX_VLANS = 2
MAX_IPV6_EXT = 6
IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 = 1, 6, 17, 58
EXT_HOP, EXT_ROUTING, EXT_FRAG, EXT_AH, EXT_DST, EXT_MH = 0, 43, 44, 51, 60, 135
IPV6_EXTS = frozenset((EXT_HOP, EXT_ROUTING, EXT_FRAG, EXT_AH, EXT_DST, EXT_MH))
# Transport headers the parser reads, and how many bytes of each must be there (after either IP).
L4_LEN = {IPPROTO_TCP: 20, IPPROTO_UDP: 8, IPPROTO_ICMP: 8, IPPROTO_ICMPV6: 8}

# Verdicts, as the model names them; HOOK_RETVAL turns them into the hook's return code.
PASS, DROP, TX = 'pass', 'drop', 'tx'
HOOK_RETVAL = {
    'xdp': {PASS: 2, DROP: 1, TX: 3},  # XDP_PASS, XDP_DROP, XDP_TX
    'tc': {PASS: 0xFFFFFFFF, DROP: 2},  # TC_ACT_UNSPEC (-1), TC_ACT_SHOT
}
# xdpkit_stats slots (include/xdpkit/stats.h): the XDP action codes, TC folded onto them.
STAT_ABORTED, STAT_DROP, STAT_PASS, STAT_TX, STAT_REDIRECT, STAT_MALFORMED = range(6)
VERDICT_SLOT = {PASS: STAT_PASS, DROP: STAT_DROP, TX: STAT_TX}

def test_run_refuses(buf, hook):
    """BPF_PROG_TEST_RUN's own rule, not a program's: for an skb (tc) the kernel refuses (EINVAL)
    a frame whose outer EtherType says IPv4 or IPv6 and that is shorter than the fixed IPv4/IPv6
    header. Such frames reach no tc program in a test run, so the tc models never see them."""
    if hook != 'tc':
        return False
    etype = buf[12] << 8 | buf[13]
    return (etype == ETH_P_IP and len(buf) < 14 + 20) or (etype == ETH_P_IPV6 and
                                                            len(buf) < 14 + 40)


class Parsed:
    """What the parser makes of a frame. On rc != PARSE_OK only the fields up to the failing header
    are set: ethertype is then the EtherType (or TPID) reached."""
    __slots__ = ('rc', 'ethertype', 'vlans', 'ip', 'l3', 'l4proto', 'l4', 'frag', 'bounds')

    def __init__(self):
        self.rc = PARSE_OK
        self.ethertype = 0
        self.vlans = 0
        self.ip = 0  # 4 or 6 once the whole fixed IP header (IPv4: with options) is there
        self.l3 = -1  # offset of the IP header
        self.l4proto = 0  # IP protocol after IPv6 extension headers; 0 for non-IP
        self.l4 = -1  # offset of a transport header we read and that is whole; -1 otherwise
        self.frag = FRAG_NONE
        self.bounds = None  # header boundaries, when asked for (the generator cuts there)


def parse(buf, want_bounds=False):
    """The shared parser's documented rules: Ethernet, up to two 802.1Q/802.1ad tags (a third is
    malformed), IPv4 (IHL >= 5, version 4, options; a non-first fragment has no transport header),
    IPv6 (version 6, at most six hop-by-hop/routing/fragment/destination-options/AH/mobility
    headers, a later fragment ends the walk), then the TCP/UDP/ICMP/ICMPv6 header, which must be
    whole. A frame that ends inside any of these headers is cut."""
    p = Parsed()
    n = len(buf)
    bounds = [14] if want_bounds else None
    p.bounds = bounds
    if n < 14:
        p.rc = PARSE_CUT
        return p
    etype = buf[12] << 8 | buf[13]
    off = 14
    while etype in VLAN_TPIDS:
        if p.vlans == MAX_VLANS:
            p.ethertype = etype
            p.rc = PARSE_BAD
            return p
        if off + 4 > n:
            p.ethertype = etype
            p.rc = PARSE_CUT
            return p
        etype = buf[off + 2] << 8 | buf[off + 3]
        off += 4
        p.vlans += 1
        if bounds is not None:
            bounds.append(off)
    p.ethertype = etype
    if etype == ETH_P_IP:
        return _parse_ipv4(p, buf, off, n, bounds)
    if etype == ETH_P_IPV6:
        return _parse_ipv6(p, buf, off, n, bounds)
    return p  # ARP and every other EtherType: Ethernet only


def _parse_l4(p, pos, n, bounds):
    need = L4_LEN.get(p.l4proto)
    if need is None:
        return p  # a transport the parser does not read
    if bounds is not None:
        bounds.append(pos + need)
    if pos + need > n:
        p.rc = PARSE_CUT
        return p
    p.l4 = pos
    return p


def _parse_ipv4(p, buf, off, n, bounds):
    if bounds is not None:
        bounds.append(off + 20)
    if off + 20 > n:
        p.rc = PARSE_CUT
        return p
    vihl = buf[off]
    if vihl >> 4 != 4 or vihl & 15 < 5:
        p.rc = PARSE_BAD
        return p
    hlen = (vihl & 15) * 4
    if bounds is not None and hlen > 20:
        bounds.append(off + hlen)
    if off + hlen > n:
        p.rc = PARSE_CUT
        return p
    p.ip = 4
    p.l3 = off
    p.l4proto = buf[off + 9]
    frag = buf[off + 6] << 8 | buf[off + 7]
    if frag & 0x1FFF:  # offset > 0: no transport header in this fragment
        p.frag = FRAG_LATER
        return p
    if frag & 0x2000:  # MF, offset 0
        p.frag = FRAG_FIRST
    return _parse_l4(p, off + hlen, n, bounds)


def _parse_ipv6(p, buf, off, n, bounds):
    if bounds is not None:
        bounds.append(off + 40)
    if off + 40 > n:
        p.rc = PARSE_CUT
        return p
    if buf[off] >> 4 != 6:
        p.rc = PARSE_BAD
        return p
    p.ip = 6
    p.l3 = off
    nexthdr = buf[off + 6]
    pos = off + 40
    seen = 0
    while nexthdr in IPV6_EXTS:
        seen += 1
        if seen > MAX_IPV6_EXT:
            p.rc = PARSE_BAD
            return p
        if nexthdr == EXT_FRAG:
            hlen = 8
        elif pos + 2 > n:
            if bounds is not None:
                bounds.append(pos + 2)
            p.rc = PARSE_CUT
            return p
        elif nexthdr == EXT_AH:
            hlen = (buf[pos + 1] + 2) * 4
        else:
            hlen = (buf[pos + 1] + 1) * 8
        if bounds is not None:
            bounds.append(pos + 2)
            bounds.append(pos + hlen)
        # The whole header must be there.
        if pos + hlen > n:
            p.rc = PARSE_CUT
            return p
        if nexthdr == EXT_FRAG:
            fo = buf[pos + 2] << 8 | buf[pos + 3]
            if fo & 0xFFF8:  # offset > 0: the walk ends, no transport header here
                p.frag = FRAG_LATER
                p.l4proto = buf[pos]
                return p
            if fo & 1:  # M: more fragments follow
                p.frag = FRAG_FIRST
        nexthdr = buf[pos]
        pos += hlen
    p.l4proto = nexthdr
    return _parse_l4(p, pos, n, bounds)


# --- RFC 1071 checksums -------------------------------------------------------------------------

def ones_sum(data):
    """The one's-complement sum of data as 16-bit big-endian words (odd length: padded with a zero
    byte), in 1..0xffff; 0 only for all-zero data. 2^16 = 1 mod 0xffff, so the big integer of the
    bytes mod 0xffff is the sum of its 16-bit words mod 0xffff, which is what end-around carry
    computes (with 0xffff, not 0, for a non-zero multiple)."""
    if len(data) & 1:
        data = bytes(data) + b'\0'
    v = int.from_bytes(data, 'big')
    if not v:
        return 0
    return v % 0xFFFF or 0xFFFF


def csum_ok(data):
    """A message whose checksum field is part of data verifies when its words sum to 0xffff."""
    return ones_sum(data) == 0xFFFF


def ipv6_pseudo(src, dst, length, proto):
    return bytes(src) + bytes(dst) + struct.pack('!IxxxB', length, proto)


# --- the programs -------------------------------------------------------------------------------

def ratelimit_key(buf, p):
    """The bucket key: the IPv6 source, or the IPv4 source mapped as ::ffff:a.b.c.d."""
    if p.ip == 4:
        return b'\0' * 10 + b'\xff\xff' + bytes(buf[p.l3 + 12:p.l3 + 16])
    return bytes(buf[p.l3 + 8:p.l3 + 24])


class Program:
    """One program under one configuration: decide() gives the verdict for a frame (and counts
    it), expected() the map contents at an epoch end, which reset() starts over from."""
    name = ''

    def __init__(self):
        self.reset()

    def reset(self):
        self.stats = [[0, 0] for _ in range(6)]

    def count(self, verdict, nbytes, malformed):
        s = self.stats[VERDICT_SLOT[verdict]]
        s[0] += 1
        s[1] += nbytes
        if malformed:
            m = self.stats[STAT_MALFORMED]
            m[0] += 1
            m[1] += nbytes

    def decide(self, buf, p):
        """Returns (verdict, output bytes or None for unchanged)."""
        raise NotImplementedError

    def expected(self):
        """{map: {key bytes: value bytes}} for every map the program writes; arrays in full."""
        return {'xdpkit_stats': {struct.pack('<I', i): struct.pack('<QQ', *s)
                                 for i, s in enumerate(self.stats)}}

    def extra_state(self):
        """What check_extra() needs of this epoch, taken at its end."""
        return None

    def allowed_extra(self, state):
        """{map: keys} the dump may hold beyond expected(): check_extra() checks them."""
        return {}

    def check_extra(self, dump, state):
        """Checks the exact expectation cannot express; returns a list of problems."""
        return []


class Hello(Program):
    """docs/hello.md: every frame, whatever it holds, gets the same verdict unchanged; the global
    counter counts them."""
    name = 'hello'

    def __init__(self, verdict=PASS):
        self.verdict = verdict
        super().__init__()

    def reset(self):
        super().reset()
        self.counter = 0

    def decide(self, buf, p):
        self.counter += 1
        self.count(self.verdict, len(buf), False)
        return self.verdict, None

    def expected(self):
        e = super().expected()
        e['.bss'] = {b'\0\0\0\0': struct.pack('<i', self.counter)}
        return e


class Count(Program):
    """docs/count.md: passes everything; counts each frame under (EtherType after the tags, IP
    protocol after the extension headers, the claimed one for a later fragment, 0 for non-IP). A
    frame the parser gives up on counts under the EtherType reached with protocol 0, and as
    MALFORMED. count_proto holds at most 1024 keys; further new keys are not recorded."""
    name = 'count'
    MAX_KEYS = 1024

    def reset(self):
        super().reset()
        self.keys = {}

    def decide(self, buf, p):
        n = len(buf)
        ok = p.rc == PARSE_OK
        key = (p.ethertype, p.l4proto if ok else 0)
        rec = self.keys.get(key)
        if rec is None and len(self.keys) < self.MAX_KEYS:
            rec = self.keys[key] = [0, 0]
        if rec is not None:
            rec[0] += 1
            rec[1] += n
        self.count(PASS, n, not ok)
        return PASS, None

    def expected(self):
        e = super().expected()
        e['count_proto'] = {struct.pack('<HBB', et, proto, 0): struct.pack('<QQ', *rec)
                            for (et, proto), rec in self.keys.items()}
        return e


def _prefix_table(prefixes, bits):
    """{prefix length: {network as int: rule key}} for a longest-prefix search."""
    table = {}
    for plen, net in prefixes:
        shift = bits - plen
        table.setdefault(plen, {})[int.from_bytes(net, 'big') >> shift] = (plen, net)
    return sorted(table.items(), reverse=True)


class Blocklist(Program):
    """docs/blocklist.md: the source (match 1: destination) address of every IPv4/IPv6 frame whose
    fixed IP header (with IPv4 options) is there, whatever follows it: an exact rule first, then
    the longest matching prefix; a hit drops and adds one to that rule's counter. A frame cut
    before its address, IHL < 5, a wrong version or a third tag passes as MALFORMED; non-IP
    passes. The tries are always consulted on an exact miss."""
    name = 'blocklist'

    def __init__(self, exact4, exact6, cidr4, cidr6, match_dst=False):
        self.exact4, self.exact6 = set(exact4), set(exact6)
        self.cidr4, self.cidr6 = list(cidr4), list(cidr6)
        self.table4 = _prefix_table(self.cidr4, 32)
        self.table6 = _prefix_table(self.cidr6, 128)
        self.match_dst = match_dst
        super().__init__()

    def reset(self):
        super().reset()
        self.hits = {'blocklist_v4': {}, 'blocklist_v6': {}, 'blocklist_cidr4': {},
                     'blocklist_cidr6': {}}

    def _lookup(self, addr, exact, table, bits, emap, cmap):
        if addr in exact:
            self.hits[emap][addr] = self.hits[emap].get(addr, 0) + 1
            return DROP
        a = int.from_bytes(addr, 'big')
        for plen, nets in table:
            rule = nets.get(a >> (bits - plen))
            if rule is not None:
                self.hits[cmap][rule] = self.hits[cmap].get(rule, 0) + 1
                return DROP
        return PASS

    def decide(self, buf, p):
        n = len(buf)
        if p.ip == 4:
            o = p.l3 + (16 if self.match_dst else 12)
            v = self._lookup(bytes(buf[o:o + 4]), self.exact4, self.table4, 32, 'blocklist_v4',
                             'blocklist_cidr4')
        elif p.ip == 6:
            o = p.l3 + (24 if self.match_dst else 8)
            v = self._lookup(bytes(buf[o:o + 16]), self.exact6, self.table6, 128,
                             'blocklist_v6', 'blocklist_cidr6')
        else:
            self.count(PASS, n, p.rc != PARSE_OK)
            return PASS, None
        self.count(v, n, False)
        return v, None

    def expected(self):
        e = super().expected()
        e['blocklist_v4'] = {a: struct.pack('<Q', self.hits['blocklist_v4'].get(a, 0))
                             for a in self.exact4}
        e['blocklist_v6'] = {a: struct.pack('<Q', self.hits['blocklist_v6'].get(a, 0))
                             for a in self.exact6}
        e['blocklist_cidr4'] = {struct.pack('<I', pl) + net: struct.pack(
            '<Q', self.hits['blocklist_cidr4'].get((pl, net), 0)) for pl, net in self.cidr4}
        e['blocklist_cidr6'] = {struct.pack('<I', pl) + net: struct.pack(
            '<Q', self.hits['blocklist_cidr6'].get((pl, net), 0)) for pl, net in self.cidr6}
        e['blocklist_cfg'] = {b'\0\0\0\0': struct.pack('<I', 1 if self.match_dst else 0)}
        return e


class Portfilter(Program):
    """docs/portfilter.md: the TCP/UDP destination port (IPv4 or IPv6, any tags, options,
    extension headers, first fragment) is looked up; deny mode drops a listed port, allow-only
    drops an unlisted one; a listed port's counter counts every frame that carried it. Later
    fragments and non-TCP/UDP pass; a frame the parser cannot read up to the end of its transport
    header passes as MALFORMED."""
    name = 'portfilter'

    def __init__(self, ports, allow_only=False):
        self.ports = set(ports)  # host order
        self.allow_only = allow_only
        super().__init__()

    def reset(self):
        super().reset()
        self.hits = {}

    def decide(self, buf, p):
        n = len(buf)
        if p.rc != PARSE_OK:
            self.count(PASS, n, True)
            return PASS, None
        if p.l4proto not in (IPPROTO_TCP, IPPROTO_UDP) or p.frag == FRAG_LATER:
            self.count(PASS, n, False)
            return PASS, None
        port = buf[p.l4 + 2] << 8 | buf[p.l4 + 3]
        listed = port in self.ports
        if listed:
            self.hits[port] = self.hits.get(port, 0) + 1
        v = DROP if listed != self.allow_only else PASS
        self.count(v, n, False)
        return v, None

    def expected(self):
        e = super().expected()
        e['portfilter_ports'] = {struct.pack('!H', port): struct.pack('<Q', self.hits.get(port, 0))
                                 for port in self.ports}
        e['portfilter_cfg'] = {b'\0\0\0\0': struct.pack('<I', 1 if self.allow_only else 0)}
        return e


NSEC = 10**9


class Ratelimit(Program):
    """docs/ratelimit.md: a token bucket per source (IPv4 mapped to ::ffff:a.b.c.d) for every frame
    whose fixed IP header is there; a bucket holds at most burst tokens (burst 0 counts as 1),
    a frame spends one token and is dropped (and counted in the bucket's dropped) when less than
    one is left; a new source starts full and its first frame leaves burst - 1. Rate 0: all pass,
    no bucket made. Unreadable IP passes as MALFORMED, non-IP passes.

    Exact by construction: every bucket the rules write is stamped in the future (last_ns), and a
    CPU that finds last_ns later than its clock earns nothing, so those buckets never refill. A
    bucket made during the run does refill, so the corpus gives no new source more than burst
    frames in an epoch: all of them pass whatever the clock did, and the bucket's tokens can only
    be checked to lie in a range."""
    name = 'ratelimit'

    def __init__(self, rate, burst, buckets):
        self.rate = rate
        self.burst = burst
        self.premade = dict(buckets)  # key -> (tokens_ns, last_ns, dropped)
        super().__init__()

    def reset(self):
        super().reset()
        self.buckets = {k: list(v) for k, v in self.premade.items()}
        self.new = {}  # key -> frames seen

    def decide(self, buf, p):
        n = len(buf)
        if not p.ip:
            self.count(PASS, n, p.rc != PARSE_OK)
            return PASS, None
        if not self.rate:
            self.count(PASS, n, False)
            return PASS, None
        key = ratelimit_key(buf, p)
        cap = max(self.burst, 1) * NSEC
        b = self.buckets.get(key)
        if b is None:
            seen = self.new.get(key, 0) + 1
            self.new[key] = seen
            if seen > max(self.burst, 1):
                raise ValueError('corpus gives new source %s more than burst frames in an epoch'
                                 % key.hex())
            self.count(PASS, n, False)
            return PASS, None
        b[0] = min(b[0], cap)
        if b[0] < NSEC:
            b[2] += 1
            self.count(DROP, n, False)
            return DROP, None
        b[0] -= NSEC
        self.count(PASS, n, False)
        return PASS, None

    def expected(self):
        e = super().expected()
        e['ratelimit_buckets'] = {k: struct.pack('<QQQ', *b) for k, b in self.buckets.items()}
        e['ratelimit_cfg'] = {b'\0\0\0\0': struct.pack('<QQ', self.rate, self.burst)}
        return e

    def extra_state(self):
        return dict(self.new)

    def allowed_extra(self, state):
        return {'ratelimit_buckets': state}

    def check_extra(self, dump, state):
        """The buckets made during the epoch: one per new source, none dropped anything, stamped
        with a real time, and between (burst - frames) and burst tokens."""
        problems = []
        got = dump.get('ratelimit_buckets', {})
        cap = max(self.burst, 1) * NSEC
        for key, seen in state.items():
            v = got.get(key)
            if v is None:
                problems.append('ratelimit_buckets: no bucket for new source %s' % key.hex())
                continue
            tokens, last, dropped = struct.unpack('<QQQ', v[:24])
            if dropped or not cap - seen * NSEC <= tokens <= cap or last >= FUTURE_NS:
                problems.append('ratelimit_buckets %s: new source after %d frames has tokens_ns '
                                '%d (want %d..%d), last_ns %d, dropped %d (want 0)' % (
                                    key.hex(), seen, tokens, cap - seen * NSEC, cap, last,
                                    dropped))
        return problems

    def new_source_frames(self, key):
        """Frames the epoch has given a source without a rules-written bucket (None: it has one)."""
        return None if key in self.buckets else self.new.get(key, 0)


# Stamp of the buckets the rules write: later than any uptime, so they never refill.
FUTURE_NS = 1 << 62


def _is_mcast_mac(b0):
    return b0 & 1


def _v4_martian(a):
    """An IPv4 address a reply may neither come from nor go to (RFC 1122 3.2.1.3): this network
    (0.0.0.0/8), multicast (224.0.0.0/4), limited broadcast. Loopback is left to the stack."""
    return a[0] == 0 or a[0] & 0xF0 == 0xE0 or a == b'\xff\xff\xff\xff'


# BPF_PROG_TEST_RUN hands an XDP program the loopback device's receive queue.
TEST_RUN_INGRESS_LOOPBACK = True


def _v6_martian(a):
    """An IPv6 address a reply may neither come from nor go to: multicast (ff00::/8), unspecified
    (::), and loopback (::1) unless the frame came in on the loopback interface (RFC 4291)."""
    return a[0] == 0xFF or a == IN6_ANY or (a == IN6_LOOPBACK and not TEST_RUN_INGRESS_LOOPBACK)


IN6_ANY = bytes(16)
IN6_LOOPBACK = bytes(15) + b'\1'


class Pong(Program):
    """docs/pong.md: an ICMP echo request (type 8 code 0) or ICMPv6 echo request (128/0), not a
    fragment, whole up to its IP total / payload length (else MALFORMED; so is an IPv6 payload
    length that ends inside the ICMPv6 header), is answered with XDP_TX unless either MAC is a group
    address, either IP address is a martian (_v4_martian, _v6_martian), or a checksum does not
    verify (IPv4 header; ICMP over the message; ICMPv6 over the pseudo-header and message). The
    reply: MACs and IP addresses swapped, TTL / hop limit 64, type 0 / 129, IPv4 header checksum
    recomputed, ICMP/ICMPv6 checksum recomputed in full (0 written as 0xffff); tags, options,
    extension headers, payload and padding unchanged."""
    name = 'pong'

    def decide(self, buf, p):
        n = len(buf)
        if p.rc != PARSE_OK:
            self.count(PASS, n, True)
            return PASS, None
        if p.frag != FRAG_NONE or p.l4 < 0:
            self.count(PASS, n, False)
            return PASS, None
        if p.ip == 4 and p.l4proto == IPPROTO_ICMP:
            v, out, bad = self._v4(buf, p)
        elif p.ip == 6 and p.l4proto == IPPROTO_ICMPV6:
            v, out, bad = self._v6(buf, p)
        else:
            v, out, bad = PASS, None, False
        self.count(v, n, bad)
        return v, out

    def _v4(self, buf, p):
        ip, l4 = p.l3, p.l4
        if buf[l4] != 8 or buf[l4 + 1] != 0:
            return PASS, None, False
        hlen = (buf[ip] & 15) * 4
        tot = buf[ip + 2] << 8 | buf[ip + 3]
        if tot < hlen + 8 or ip + tot > len(buf):
            return PASS, None, True
        src, dst = bytes(buf[ip + 12:ip + 16]), bytes(buf[ip + 16:ip + 20])
        if (_is_mcast_mac(buf[0]) or _is_mcast_mac(buf[6]) or _v4_martian(src)
                or _v4_martian(dst) or not csum_ok(buf[ip:ip + hlen])
                or not csum_ok(buf[l4:ip + tot])):
            return PASS, None, False
        out = bytearray(buf)
        out[0:6], out[6:12] = buf[6:12], buf[0:6]
        out[ip + 12:ip + 16], out[ip + 16:ip + 20] = buf[ip + 16:ip + 20], buf[ip + 12:ip + 16]
        out[ip + 8] = 64
        out[l4] = 0
        out[ip + 10:ip + 12] = b'\0\0'
        out[ip + 10:ip + 12] = struct.pack('!H', ~ones_sum(out[ip:ip + hlen]) & 0xFFFF)
        out[l4 + 2:l4 + 4] = b'\0\0'
        c = ~ones_sum(out[l4:ip + tot]) & 0xFFFF
        out[l4 + 2:l4 + 4] = struct.pack('!H', c or 0xFFFF)
        return TX, bytes(out), False

    def _v6(self, buf, p):
        ip, l4 = p.l3, p.l4
        if buf[l4] != 128 or buf[l4 + 1] != 0:
            return PASS, None, False
        plen = buf[ip + 4] << 8 | buf[ip + 5]
        end = ip + 40 + plen
        if end > len(buf):
            return PASS, None, True
        # The ICMPv6 message runs from its header to the end of the payload; a payload length
        # that ends before the ICMPv6 header does cannot be a request (MALFORMED).
        if end < l4 + 8:
            return PASS, None, True
        src, dst = bytes(buf[ip + 8:ip + 24]), bytes(buf[ip + 24:ip + 40])
        if (_is_mcast_mac(buf[0]) or _is_mcast_mac(buf[6]) or _v6_martian(src)
                or _v6_martian(dst)
                or not csum_ok(ipv6_pseudo(src, dst, end - l4, IPPROTO_ICMPV6) + buf[l4:end])):
            return PASS, None, False
        out = bytearray(buf)
        out[0:6], out[6:12] = buf[6:12], buf[0:6]
        out[ip + 8:ip + 24], out[ip + 24:ip + 40] = dst, src
        out[ip + 7] = 64
        out[l4] = 129
        out[l4 + 2:l4 + 4] = b'\0\0'
        c = ~ones_sum(ipv6_pseudo(dst, src, end - l4, IPPROTO_ICMPV6) + out[l4:end]) & 0xFFFF
        out[l4 + 2:l4 + 4] = struct.pack('!H', c or 0xFFFF)
        return TX, bytes(out), False
