# SPDX-License-Identifier: GPL-2.0-only
"""Corpus generator of the differential fuzz (tests/stress/difffuzz.py): the world the rules and
frames share (addresses, ports, buckets), seed frames built with scapy, and fast byte-level
mutation and truncation from one seeded PRNG.

Scapy builds the templates (so their lengths and checksums come from a second implementation);
the million frames are made by mutating those bytes directly, which is what keeps it fast.
"""
import ipaddress
import random
import struct

from difffuzz_model import FUTURE_NS, NSEC, ipv6_pseudo, ones_sum, parse

# --- the world: rules and the addresses, ports and MACs frames are made of ----------------------


def v4(a):
    return ipaddress.IPv4Address(a).packed


def v6(a):
    return ipaddress.IPv6Address(a).packed


def net4(s):
    n = ipaddress.IPv4Network(s)
    return n.prefixlen, n.network_address.packed


def net6(s):
    n = ipaddress.IPv6Network(s)
    return n.prefixlen, n.network_address.packed


BL_EXACT4 = [v4('10.1.0.%d' % i) for i in range(1, 9)] + [v4('192.0.2.1'), v4('0.0.0.0')]
BL_CIDR4 = [net4(s) for s in ('10.2.0.0/16', '10.2.3.0/24', '10.2.3.128/25', '172.16.0.0/12',
                              '192.0.2.128/25', '198.51.100.7/32', '128.0.0.0/2', '10.1.0.0/29',
                              '224.0.0.0/8')]
BL_EXACT6 = [v6('fd99::%d' % i) for i in range(1, 5)] + [v6('::ffff:10.1.0.1'), v6('::')]
BL_CIDR6 = [net6(s) for s in ('2001:db8::/32', '2001:db8:1:2::/64', '2001:db8:1:2::80/121',
                              'fd00::/8', '8000::/2', 'fe80::/10', '2001:db8:ffff::1/128',
                              'fd99::/126')]

PF_PORTS = [53, 80, 443, 8080, 0, 65535, 1, 5353]
PORTS = PF_PORTS + [22, 25, 123, 1234, 65534, 2, 52, 54]

SRC4 = ['10.1.0.1', '10.1.0.2', '10.1.0.5', '10.1.0.9', '10.2.3.4', '10.2.3.200', '10.2.9.9',
        '172.20.1.1', '192.0.2.1', '192.0.2.200', '198.51.100.7', '198.51.100.1', '203.0.113.9',
        '100.64.1.1', '127.0.0.1', '130.1.2.3', '0.1.2.3', '0.0.0.0', '224.0.0.1', '239.1.2.3',
        '255.255.255.255', '240.0.0.1', '192.168.1.10', '10.0.0.2']
SRC6 = ['fd99::1', 'fd99::2', 'fd99::3', 'fd99::7', '2001:db8::1', '2001:db8:1:2::1',
        '2001:db8:1:2::85', '2001:db8:ffff::1', 'fd00::5', 'fe80::1', '::ffff:10.1.0.1',
        '::ffff:198.51.100.1', '::', '::1', 'ff02::1', 'ff05::2', '2606:4700::1', '2a00:1450::5',
        'c000::1', '3fff::9']
IPS4 = [v4(a) for a in SRC4]
IPS6 = [v6(a) for a in SRC6]

MAC_UNICAST = [bytes.fromhex(m) for m in ('020000000001', '020000000002', '00163e112233')]
MAC_GROUP = [bytes.fromhex(m) for m in ('01005e000001', '333300000001', 'ffffffffffff',
                                        '0180c200000e')]

# ratelimit: every pool source has a bucket written by the rules, stamped in the future (never
# refilled). Tokens per source vary: 0, fractions, a few, more than burst (clamped to burst).
RL_RATE = 100
RL_BURST = 500
RL_TOKEN_CHOICES = [0, NSEC // 2, NSEC, 3 * NSEC // 2, 2 * NSEC, 3 * NSEC, 10 * NSEC, 150 * NSEC,
                    400 * NSEC, 500 * NSEC, 10**6 * NSEC]


def rl_key4(a):
    return b'\0' * 10 + b'\xff\xff' + a


def ratelimit_buckets():
    """key -> (tokens_ns, last_ns, dropped) for every source address the templates use."""
    rng = random.Random(7)
    keys = [rl_key4(a) for a in IPS4] + list(IPS6)
    return {k: (rng.choice(RL_TOKEN_CHOICES), FUTURE_NS, rng.randrange(0, 1000)) for k in keys}


# --- templates (scapy) --------------------------------------------------------------------------

SCAPY_LAYERS = ('AH', 'ARP', 'Dot1AD', 'Dot1Q', 'Ether', 'ICMP', 'ICMPv6DestUnreach',
                'ICMPv6EchoReply', 'ICMPv6EchoRequest', 'IP', 'IPOption_NOP', 'IPOption_RR', 'IPv6',
                'IPv6ExtHdrDestOpt', 'IPv6ExtHdrFragment', 'IPv6ExtHdrHopByHop',
                'IPv6ExtHdrRouting', 'PadN', 'Raw', 'TCP', 'UDP')


def _scapy():
    """The scapy layers the templates use, by name (scapy is imported only when templates are
    made)."""
    import logging
    # ICMPv6 inside IPv4 has no IPv6 pseudo-header to sum: scapy says so and leaves 0, as wanted.
    logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
    import scapy.all
    return {name: getattr(scapy.all, name) for name in SCAPY_LAYERS}


class Templates:
    """Seed frames: every kind each program has a verdict for, in every documented shape."""

    def __init__(self, rng):
        self.s = _scapy()
        self.rng = rng

    def payload(self):
        r = self.rng
        return r.randbytes(r.choice([0, 0, 1, 4, 7, 18, 32, 56, 64, r.randrange(0, 300),
                                     r.randrange(0, 1400)]))

    def l2(self):
        s, r = self.s, self.rng
        dst = r.choice(MAC_UNICAST * 6 + MAC_GROUP)
        src = r.choice(MAC_UNICAST * 8 + MAC_GROUP)
        pkt = s['Ether'](dst=dst, src=src)
        tags = r.choices([0, 1, 2, 3], weights=[50, 22, 22, 6])[0]
        for _ in range(tags):
            layer = r.choice([s['Dot1Q'], s['Dot1Q'], s['Dot1AD']])
            pkt = pkt / layer(vlan=r.randrange(4096), prio=r.randrange(8))
        return pkt

    def ip4(self):
        s, r = self.s, self.rng
        opts = []
        kind = r.choices(['none', 'nop', 'rr'], weights=[60, 25, 15])[0]
        if kind == 'nop':
            opts = [s['IPOption_NOP']()] * (4 * r.randrange(1, 11))
        elif kind == 'rr':
            opts = [s['IPOption_NOP'](), s['IPOption_RR'](routers=['192.0.2.%d' % i for i in
                                                                   range(r.randrange(1, 9))])]
        frag = r.choices(['none', 'df', 'first', 'later', 'later_mf'],
                         weights=[60, 15, 10, 10, 5])[0]
        flags = {'none': 0, 'df': 'DF', 'first': 'MF', 'later': 0, 'later_mf': 'MF'}[frag]
        off = r.randrange(1, 8192) if frag.startswith('later') else 0
        return s['IP'](src=str(ipaddress.IPv4Address(r.choice(IPS4))),
                       dst=str(ipaddress.IPv4Address(r.choice(IPS4))), ttl=r.randrange(1, 256),
                       id=r.randrange(65536), flags=flags, frag=off, options=opts), frag

    def l4(self, version, later):
        s, r = self.s, self.rng
        data = self.payload()
        if later:
            return s['Raw'](load=data or b'\x00' * 8), r.choice([6, 17, 1, 58])
        if version == 4:
            kinds = ['udp', 'udp', 'tcp', 'tcp', 'echo', 'echo', 'echo', 'echoreply',
                     'icmp_other', 'icmp6', 'gre', 'none']
        else:
            kinds = ['udp', 'udp', 'tcp', 'tcp', 'echo', 'echo', 'echo', 'echoreply',
                     'icmp_other', 'icmp4', 'esp', 'none']
        k = r.choice(kinds)
        ports = dict(sport=r.choice(PORTS + [r.randrange(65536)]),
                     dport=r.choice(PORTS + [r.randrange(65536)]))
        if k == 'udp':
            return s['UDP'](**ports) / s['Raw'](load=data), 17
        if k == 'tcp':
            return s['TCP'](flags=r.choice(['S', 'SA', 'A', 'PA', 'R']), **ports) / s['Raw'](
                load=data), 6
        ident, seq = r.randrange(65536), r.randrange(65536)
        if version == 4:
            if k == 'echo':
                return s['ICMP'](type=8, code=r.choice([0, 0, 0, 0, 1]), id=ident, seq=seq) / \
                    s['Raw'](load=data), 1
            if k == 'echoreply':
                return s['ICMP'](type=0, id=ident, seq=seq) / s['Raw'](load=data), 1
            if k == 'icmp_other':
                return s['ICMP'](type=r.choice([3, 11, 13, 5]), code=r.randrange(4)) / \
                    s['Raw'](load=data), 1
            if k == 'icmp6':
                return s['ICMPv6EchoRequest'](id=ident, seq=seq, data=data), 58
            if k == 'gre':
                return s['Raw'](load=b'\0\0\x08\0' + data), 47
            return s['Raw'](load=data), r.choice([0, 255, 132, 4])
        if k == 'echo':
            code = r.choice([0, 0, 0, 0, 3])
            return s['ICMPv6EchoRequest'](code=code, id=ident, seq=seq, data=data), 58
        if k == 'echoreply':
            return s['ICMPv6EchoReply'](id=ident, seq=seq, data=data), 58
        if k == 'icmp_other':
            return s['ICMPv6DestUnreach']() / s['Raw'](load=data), 58
        if k == 'icmp4':
            return s['ICMP'](type=8, id=ident, seq=seq) / s['Raw'](load=data), 1
        if k == 'esp':
            return s['Raw'](load=b'\0\0\0\1' + data), 50
        return s['Raw'](load=data), 59

    def ext_chain(self):
        """IPv6 extension headers: (list of scapy layers or raw bytes with their type, is later
        fragment)."""
        s, r = self.s, self.rng
        n = r.choices([0, 1, 2, 3, 6, 7, 8], weights=[45, 20, 12, 8, 6, 6, 3])[0]
        chain = []
        later = False
        for i in range(n):
            t = r.choice(['hop', 'dst', 'routing', 'frag', 'ah', 'mh']
                         if i else ['hop', 'hop', 'dst', 'routing', 'frag', 'ah', 'mh'])
            if t == 'hop':
                chain.append((0, s['IPv6ExtHdrHopByHop'](options=[s['PadN'](
                    optdata=b'\0' * r.choice([4, 12, 20]))])))
            elif t == 'dst':
                chain.append((60, s['IPv6ExtHdrDestOpt'](options=[s['PadN'](
                    optdata=b'\0' * r.choice([4, 12]))])))
            elif t == 'routing':
                chain.append((43, s['IPv6ExtHdrRouting'](
                    addresses=[str(ipaddress.IPv6Address(r.choice(IPS6)))
                               for _ in range(r.randrange(0, 3))], segleft=r.choice([0, 0, 1]))))
            elif t == 'frag':
                kind = r.choice(['atomic', 'first', 'later', 'later'])
                later = later or kind == 'later'
                chain.append((44, s['IPv6ExtHdrFragment'](
                    offset=r.randrange(1, 8192) if kind == 'later' else 0,
                    m=1 if kind == 'first' else r.randrange(2) if kind == 'later' else 0,
                    id=r.getrandbits(32))))
            elif t == 'ah':
                chain.append((51, s['AH'](spi=r.getrandbits(32), seq=r.getrandbits(32),
                                          icv=bytes(4 * r.choice([1, 3, 5])))))
            else:  # mobility header as raw bytes: 8 * (len + 1) long, the next header first
                hl = r.choice([0, 1])
                chain.append((135, bytes([59, hl, 0, 0]) + bytes(8 * (hl + 1) - 4)))
        return chain, later

    def ip6(self):
        s, r = self.s, self.rng
        return s['IPv6'](src=str(ipaddress.IPv6Address(r.choice(IPS6))),
                         dst=str(ipaddress.IPv6Address(r.choice(IPS6))), hlim=r.randrange(256),
                         fl=r.getrandbits(20), tc=r.randrange(256))

    def edges(self):
        """Fixed frames at the corners of the documented rules, in every corpus."""
        s = self.s
        eth = s['Ether'](dst=MAC_UNICAST[0], src=MAC_UNICAST[1])
        ip6 = dict(src='2001:db8::1', dst='2001:db8:1:2::1')
        out = []
        # An extension header cut after its first bytes, nothing the parser reads behind it.
        out.append(bytes(eth / s['IPv6'](nh=0, plen=16, **ip6)) + bytes([59, 1, 1, 12]))
        # Six extension headers, then UDP; seven; seven whose 7th is a later fragment.
        for n, last in ((6, None), (7, None), (6, 'later')):
            p = eth / s['IPv6'](**ip6)
            for _ in range(n):
                p = p / s['IPv6ExtHdrDestOpt']()
            if last:
                p = p / s['IPv6ExtHdrFragment'](offset=1, nh=17) / s['Raw'](load=bytes(16))
            else:
                p = p / s['UDP'](dport=53) / s['Raw'](load=b'q')
            out.append(bytes(p))
        # Echo requests whose reply checksum sums to 0 (sent as 0xffff), and a request whose own
        # checksum is 0 with the same sum as 0xffff; IPv4 with 40 bytes of options; IPv4 padded
        # behind its total length; ICMPv6 behind a hop-by-hop and an atomic fragment header.
        for v6 in (False, True):
            for want in ('reply', 'request'):
                out += self._csum_corner(eth, ip6, v6, want)
        # An echo request whose reply's IPv4 header sums to zero (its checksum is 0x0000).
        def request(ident):
            return bytes(eth / s['IP'](src='192.168.1.10', dst='198.51.100.1', ttl=63, id=ident)
                         / s['ICMP'](id=2) / s['Raw'](load=b'ip0'))

        hdr = bytearray(request(0)[14:34])
        hdr[8], hdr[10:12] = 64, b'\0\0'
        out.append(request(-ones_sum(hdr) % 0xFFFF))
        out.append(bytes(eth / s['IP'](src='10.0.0.2', dst='192.168.1.10', options=[
            s['IPOption_NOP']()] * 40) / s['ICMP'](id=7, seq=7) / s['Raw'](load=b'options')))
        out.append(bytes(eth / s['IP'](src='10.0.0.2', dst='192.168.1.10') / s['ICMP'](id=3) /
                         s['Raw'](load=b'pad')) + bytes(20))
        out.append(bytes(eth / s['IPv6'](**ip6) / s['IPv6ExtHdrHopByHop']() /
                         s['IPv6ExtHdrFragment'](offset=0, m=0) /
                         s['ICMPv6EchoRequest'](id=5, seq=5, data=b'ext')))
        # An ICMPv6 echo request whose payload length ends inside its ICMPv6 header.
        f = bytearray(bytes(eth / s['IPv6'](**ip6) / s['ICMPv6EchoRequest'](id=9, data=b'x')))
        f[18:20] = struct.pack('!H', 4)
        out.append(bytes(f))
        # The IPv6 source ::ffff:10.1.0.1 shares the bucket of the IPv4 source 10.1.0.1.
        out.append(bytes(eth / s['IPv6'](src='::ffff:10.1.0.1', dst='fd99::1') /
                         s['UDP'](dport=80)))
        return out

    def _csum_corner(self, eth, ip6, v6, which):
        """An echo request whose reply (which='reply') or whose own checksum (which='request')
        sums to zero: the one's-complement sum is linear, so the first payload word that gets
        there is computed, not searched for. The request corner comes twice, its checksum
        written as 0x0000 and as 0xffff (both verify)."""
        s = self.s

        def build(word):
            data = struct.pack('!H', word) + b'edge'
            if v6:
                return bytearray(bytes(eth / s['IPv6'](**ip6) / s['ICMPv6EchoRequest'](
                    id=1, seq=1, data=data)))
            return bytearray(bytes(eth / s['IP'](src='192.168.1.10', dst='198.51.100.1') /
                                   s['ICMP'](id=1, seq=1) / s['Raw'](load=data)))

        def message_sum(f, icmp_type):
            l4 = 54 if v6 else 34
            g = bytearray(f)
            g[l4] = icmp_type
            g[l4 + 2:l4 + 4] = b'\0\0'
            pseudo = ipv6_pseudo(g[22:38], g[38:54], len(g) - l4, 58) if v6 else b''
            return ones_sum(pseudo + g[l4:])

        icmp_type = (129 if v6 else 0) if which == 'reply' else (128 if v6 else 8)
        word = -message_sum(build(0), icmp_type) % 0xFFFF
        f = build(word)
        assert message_sum(f, icmp_type) == 0xFFFF
        if which == 'reply':
            return [bytes(f)]
        l4 = 54 if v6 else 34
        return [bytes(f), bytes(f[:l4 + 2]) + b'\xff\xff' + bytes(f[l4 + 4:])]

    def one(self):
        s, r = self.s, self.rng
        kind = r.choices(['v4', 'v6', 'arp', 'other'], weights=[48, 44, 4, 4])[0]
        pkt = self.l2()
        if kind == 'v4':
            ip, frag = self.ip4()
            l4, proto = self.l4(4, frag.startswith('later'))
            ip.proto = proto
            frame = bytes(pkt / ip / l4)
        elif kind == 'v6':
            chain, later = self.ext_chain()
            l4, proto = self.l4(6, later)
            frame = self._v6_frame(pkt, self.ip6(), chain, l4, proto)
        elif kind == 'arp':
            frame = bytes(pkt / s['ARP'](psrc='192.0.2.1', pdst='192.0.2.2'))
        else:
            # LLDP, MPLS, PPPoE, ... or an 802.3 length: the innermost type field is the last
            # two bytes of the Ethernet header and tags scapy built
            et = r.choice([0x88CC, 0x8847, 0x8863, 0x0805, 0x0600, 0x002E, r.randrange(65536)])
            frame = bytes(pkt)[:-2] + struct.pack('!H', et) + r.randbytes(r.randrange(0, 80))
        if r.random() < 0.15 and len(frame) < 60:
            frame += bytes(60 - len(frame))  # Ethernet padding
        return frame

    def _v6_frame(self, pkt, ip6, chain, l4, proto):
        """Chain the extension headers with explicit next-header values; scapy computes the
        payload length and the transport checksum (mobility headers are raw bytes, so a
        transport behind one keeps scapy's checksum over a chain it did not see)."""
        s = self.s
        types = [t for t, _ in chain] + [proto]
        ip6.nh = types[0]
        layers = ip6
        for (t, h), nxt in zip(chain, types[1:]):
            if isinstance(h, bytes):
                layers = layers / s['Raw'](load=bytes([nxt]) + h[1:])
            else:
                h.nh = nxt
                layers = layers / h
        return bytes(pkt / layers / l4)


# --- mutation ---------------------------------------------------------------------------------

def layout(buf):
    """Where the headers of a (possibly mutated) frame are, as far as they can be found: tag
    offsets, the IP header, IPv6 extension headers, the transport header. Guides mutations only;
    verdicts come from the model's parser."""
    n = len(buf)
    tags, exts = [], []
    off = 14
    et = buf[12] << 8 | buf[13] if n >= 14 else 0
    while et in (0x8100, 0x88A8) and off + 4 <= n and len(tags) < 4:
        tags.append(off)
        et = buf[off + 2] << 8 | buf[off + 3]
        off += 4
    l3, ip, l4, l4p = off, 0, -1, 0
    if et == 0x0800 and off + 20 <= n:
        ip = 4
        l4p = buf[off + 9]
        l4 = off + max(5, buf[off] & 15) * 4
    elif et == 0x86DD and off + 40 <= n:
        ip = 6
        nh, pos = buf[off + 6], off + 40
        while nh in (0, 43, 44, 51, 60, 135) and pos + 8 <= n and len(exts) < 10:
            exts.append((pos, nh))
            hl = 8 if nh == 44 else (buf[pos + 1] + 2) * 4 if nh == 51 else (buf[pos + 1] + 1) * 8
            nh, pos = buf[pos], pos + hl
        l4, l4p = pos, nh
    return tags, l3, ip, exts, (l4 if 0 <= l4 < n else -1), l4p


def fix_checksums(f):
    """Make the IPv4 header and ICMP/ICMPv6/UDP/TCP checksums of a mutated frame right for its
    current bytes (as far as its lengths allow), so that checksum-checking code is reached by
    frames of every odd shape, not only by the templates."""
    tags, l3, ip, exts, l4, l4p = layout(f)
    n = len(f)
    if ip == 4:
        hl = (f[l3] & 15) * 4
        if hl >= 20 and l3 + hl <= n:
            f[l3 + 10:l3 + 12] = b'\0\0'
            f[l3 + 10:l3 + 12] = struct.pack('!H', ~ones_sum(f[l3:l3 + hl]) & 0xFFFF)
        end = min(n, l3 + (f[l3 + 2] << 8 | f[l3 + 3]))
        pseudo = b''
        if l4p in (6, 17):
            pseudo = bytes(f[l3 + 12:l3 + 20]) + struct.pack('!xBH', l4p, max(0, end - l4))
    elif ip == 6:
        end = min(n, l3 + 40 + (f[l3 + 4] << 8 | f[l3 + 5]))
        pseudo = ipv6_pseudo(f[l3 + 8:l3 + 24], f[l3 + 24:l3 + 40], max(0, end - l4), l4p)
    else:
        return
    at = {1: 2, 58: 2, 17: 6, 6: 16}.get(l4p)
    if at is None or l4 < 0 or l4 + at + 2 > end:
        return
    f[l4 + at:l4 + at + 2] = b'\0\0'
    f[l4 + at:l4 + at + 2] = struct.pack('!H', ~ones_sum(pseudo + f[l4:end]) & 0xFFFF)


def _set16(f, off, v):
    if 0 <= off and off + 2 <= len(f):
        f[off:off + 2] = struct.pack('!H', v & 0xFFFF)


class Mutator:
    def __init__(self, rng):
        self.r = rng

    def header_offset(self, f, tags, l3, l4):
        end = min(len(f), (l4 if l4 > 0 else l3) + 24)
        return self.r.randrange(0, max(1, end))

    def mutate(self, f):
        """One mutation of bytearray f, in place; may change its length."""
        r = self.r
        tags, l3, ip, exts, l4, l4p = layout(f)
        n = len(f)
        m = r.choices(
            ['bitflip', 'byte', 'bytes', 'tpid', 'add_tag', 'del_tag', 'ihl', 'version', 'frag4',
             'totlen', 'proto', 'ttl', 'addr', 'plen6', 'ext_nh', 'ext_len', 'frag6', 'ext_add',
             'icmp', 'port', 'mac', 'ethertype'],
            weights=[10, 6, 3, 3, 3, 2, 4, 3, 5, 5, 4, 1, 6, 5, 4, 4, 4, 4, 6, 4, 3, 2])[0]
        if m == 'bitflip':
            o = self.header_offset(f, tags, l3, l4) if r.random() < 0.8 else r.randrange(n)
            f[o] ^= 1 << r.randrange(8)
        elif m == 'byte':
            o = self.header_offset(f, tags, l3, l4) if r.random() < 0.8 else r.randrange(n)
            f[o] = r.getrandbits(8)
        elif m == 'bytes':
            o = r.randrange(n)
            k = min(n - o, r.randrange(1, 16))
            f[o:o + k] = r.randbytes(k)
        elif m in ('tpid', 'ethertype'):
            spots = [12] + [t + 2 for t in tags]
            o = r.choice(spots) if m == 'tpid' else spots[-1]
            _set16(f, o, r.choice([0x8100, 0x88A8, 0x0800, 0x86DD, 0x0806, 0x9100,
                                   r.randrange(65536)]))
        elif m == 'add_tag':
            o = r.choice([12] + [t for t in tags])
            f[o:o] = struct.pack('!HH', r.choice([0x8100, 0x88A8]), r.randrange(65536))
        elif m == 'del_tag' and tags:
            t = r.choice(tags)
            del f[t - 2:t + 2]
        elif m == 'ihl' and ip == 4:
            f[l3] = (f[l3] & 0xF0) | r.choice([0, 1, 4, 5, 6, 7, 15, r.randrange(16)])
        elif m == 'version' and ip:
            f[l3] = (r.choice([4, 6, 0, 5, 15, r.randrange(16)]) << 4) | (f[l3] & 15)
        elif m == 'frag4' and ip == 4:
            _set16(f, l3 + 6, r.choice([0, 0x2000, 0x4000, 0x8000, 0x0001, 0x2001, 0x1FFF,
                                        0x3FFF, 0x0008, r.randrange(65536)]))
        elif m == 'totlen' and ip:
            at = l3 + 2 if ip == 4 else l3 + 4
            cur = (n - l3) if ip == 4 else (n - l3 - 40)
            _set16(f, at, r.choice([cur, cur - 1, cur + 1, cur - r.randrange(1, 64), 0, 27, 28,
                                    65535, r.randrange(65536), cur - (l4 - l3 if l4 > 0 else 0)]))
        elif m == 'proto' and ip:
            at = l3 + 9 if ip == 4 else (exts[-1][0] if exts and r.random() < 0.5 else l3 + 6)
            f[at] = r.choice([1, 6, 17, 58, 0, 43, 44, 51, 60, 135, 59, 50, 47, r.randrange(256)])
        elif m == 'ttl' and ip:
            f[l3 + (8 if ip == 4 else 7)] = r.choice([0, 1, 64, 255])
        elif m == 'addr' and ip:
            if ip == 4:
                o = l3 + r.choice([12, 16])
                f[o:o + 4] = r.choice(IPS4 + [r.randbytes(4)])
            else:
                o = l3 + r.choice([8, 24])
                f[o:o + 16] = r.choice(IPS6 + [r.randbytes(16)])
        elif m == 'plen6' and ip == 6:
            cur = n - l3 - 40
            _set16(f, l3 + 4, r.choice([cur, cur - 1, cur + 1, 0, 8, cur - r.randrange(1, 64),
                                        r.randrange(65536), (l4 - l3 - 40) if l4 > 0 else 0,
                                        (l4 - l3 - 40 + 7) if l4 > 0 else 7]))
        elif m == 'ext_nh' and exts:
            pos, _ = r.choice(exts)
            f[pos] = r.choice([0, 43, 44, 51, 60, 135, 59, 6, 17, 58, 1, r.randrange(256)])
        elif m == 'ext_len' and exts:
            pos, t = r.choice(exts)
            if t != 44:
                f[pos + 1] = r.choice([0, 1, 2, 3, 255, r.randrange(256)])
        elif m == 'frag6' and exts:
            fr = [p for p, t in exts if t == 44]
            if fr:
                _set16(f, r.choice(fr) + 2, r.choice([0, 1, 8, 9, 0xFFF8, 0xFFF9, 6, 7,
                                                      r.randrange(65536)]))
        elif m == 'ext_add' and ip == 6:
            # A hop-by-hop/destination-options/fragment header right after the IPv6 header.
            t = r.choice([0, 60, 44, 135, 51])
            nh = f[l3 + 6]
            if t == 44:
                h = struct.pack('!BBHI', nh, 0, r.choice([0, 1, 8, 9]), r.getrandbits(32))
            elif t == 51:
                h = bytes([nh, 1]) + bytes(10)
            else:
                h = bytes([nh, 0, 1, 4]) + bytes(4)
            f[l3 + 40:l3 + 40] = h
            f[l3 + 6] = t
            if r.random() < 0.7:
                _set16(f, l3 + 4, (f[l3 + 4] << 8 | f[l3 + 5]) + len(h))
        elif m == 'icmp' and l4 > 0 and l4 + 2 <= n:
            f[l4], f[l4 + 1] = r.choice([(8, 0), (0, 0), (128, 0), (129, 0), (8, 1), (128, 1),
                                         (r.randrange(256), r.randrange(256))])
        elif m == 'port' and l4 > 0 and l4 + 4 <= n:
            _set16(f, l4 + 2, r.choice(PORTS + [r.randrange(65536)]))
        elif m == 'mac':
            o = r.choice([0, 6])
            f[o:o + 6] = r.choice(MAC_GROUP + MAC_UNICAST + [bytes([r.getrandbits(8) | 1]) +
                                                             bytes(5)])

    def cut(self, f, bounds):
        """Truncate at a header boundary (or one byte either side) or anywhere; at least 14 bytes
        stay (BPF_PROG_TEST_RUN takes no less)."""
        r = self.r
        if bounds and r.random() < 0.7:
            at = r.choice(bounds) + r.choice([-1, 0, 0, 1])
        else:
            at = r.randrange(14, len(f) + 1)
        del f[max(14, at):]


class Generator:
    """Frames for one seed: templates as they are, mutated (1-4 mutations, half of them with
    checksums made right again), cut at header boundaries or anywhere, and random bytes."""

    def __init__(self, seed, templates):
        self.r = random.Random(seed)
        self.mut = Mutator(self.r)
        t = Templates(random.Random(seed ^ 0x5EED))
        self.templates = t.edges() + [t.one() for _ in range(templates)]
        self.bounds = [parse(x, want_bounds=True).bounds for x in self.templates]

    def frame(self):
        r = self.r
        i = r.randrange(len(self.templates))
        kind = r.random()
        if kind < 0.25:
            return self.templates[i]
        f = bytearray(self.templates[i])
        if kind < 0.40:  # a template cut, most of the time at a header boundary
            self.mut.cut(f, self.bounds[i])
            return bytes(f)
        if kind < 0.95:
            for _ in range(r.choice([1, 1, 1, 2, 2, 3, 4])):
                self.mut.mutate(f)
                if len(f) < 14:
                    f.extend(bytes(14 - len(f)))
            if r.random() < 0.5:
                fix_checksums(f)
            if r.random() < 0.2:
                self.mut.cut(f, parse(f, want_bounds=True).bounds)
            elif r.random() < 0.05:
                f.extend(r.randbytes(r.randrange(1, 40)))
            return bytes(f[:1500])
        # random bytes behind a plausible (or random) Ethernet header
        n = r.randrange(14, 200)
        g = bytearray(r.randbytes(n))
        if r.random() < 0.7:
            et = r.choice([0x0800, 0x86DD, 0x8100, 0x88A8])
            g[12:14] = struct.pack('!H', et)
            if n > 14 and et in (0x0800, 0x86DD):  # the right IP version, mostly
                g[14] = (0x40 if et == 0x0800 else 0x60) | (g[14] & 15)
        return bytes(g)
