"""A tiny userspace WireGuard client for tests: one handshake, one TCP connection, one HTTP exchange.

Speaks the real protocol (Noise_IKpsk2 handshake, ChaCha20-Poly1305 transport,
see the WireGuard paper, section 5) over UDP to a real mitmproxy wireguard
listener, and carries hand-built IPv4/TCP packets inside, as a phone's
WireGuard app would. No root, no TUN device. Enough for a request and its
answer; not a general TCP stack (no retransmission, no window management).
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import hmac
import os
import random
import socket
import struct
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"


def _hash(data: bytes) -> bytes:
    return hashlib.blake2s(data).digest()


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.blake2s).digest()


def _kdf(key: bytes, data: bytes, n: int) -> list[bytes]:
    t0 = _hmac(key, data)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = _hmac(t0, prev + bytes([i]))
        out.append(prev)
    return out


def _aead(key: bytes, counter: int, plain: bytes, auth: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(b"\0" * 4 + struct.pack("<Q", counter), plain, auth)


def _open(key: bytes, counter: int, sealed: bytes, auth: bytes) -> bytes:
    return ChaCha20Poly1305(key).decrypt(b"\0" * 4 + struct.pack("<Q", counter), sealed, auth)


def _dh(private: X25519PrivateKey, public: bytes) -> bytes:
    return private.exchange(X25519PublicKey.from_public_bytes(public))


def _pub(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def _tai64n() -> bytes:
    now = time.time()
    return struct.pack(">QI", 2**62 + int(now), int((now % 1) * 1e9))


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@dataclass
class Peer:
    private: bytes
    address: str
    server_public: bytes
    endpoint: tuple[str, int]

    @classmethod
    def from_config(cls, text: str, endpoint: tuple[str, int] | None = None) -> Peer:
        ini = configparser.ConfigParser()
        ini.optionxform = str
        ini.read_string(text)
        host, _, port = ini["Peer"]["Endpoint"].rpartition(":")
        return cls(
            base64.b64decode(ini["Interface"]["PrivateKey"]),
            ini["Interface"]["Address"].split("/")[0],
            base64.b64decode(ini["Peer"]["PublicKey"]),
            endpoint or (host.strip("[]"), int(port)),
        )


class Tunnel:
    def __init__(self, peer: Peer, timeout: float = 5):
        self.peer = peer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)
        self.sock.connect(peer.endpoint)
        self.index = random.getrandbits(32)
        self.send_counter = 0
        try:
            self._handshake()
        except BaseException:
            self.sock.close()
            raise

    def close(self) -> None:
        self.sock.close()

    def _handshake(self) -> None:
        p = self.peer
        static = X25519PrivateKey.from_private_bytes(p.private)
        eph = X25519PrivateKey.generate()
        c = _hash(CONSTRUCTION)
        h = _hash(_hash(c + IDENTIFIER) + p.server_public)
        e_pub = _pub(eph)
        c = _kdf(c, e_pub, 1)[0]
        h = _hash(h + e_pub)
        c, k = _kdf(c, _dh(eph, p.server_public), 2)
        enc_static = _aead(k, 0, _pub(static), h)
        h = _hash(h + enc_static)
        c, k = _kdf(c, _dh(static, p.server_public), 2)
        enc_time = _aead(k, 0, _tai64n(), h)
        h = _hash(h + enc_time)
        msg = struct.pack("<B3xI", 1, self.index) + e_pub + enc_static + enc_time
        mac1 = hashlib.blake2s(msg, digest_size=16, key=_hash(LABEL_MAC1 + p.server_public)).digest()
        self.sock.send(msg + mac1 + b"\0" * 16)

        reply = self.sock.recv(2048)
        kind, sender, receiver = struct.unpack("<B3xII", reply[:12])
        if kind != 2 or receiver != self.index:
            raise ConnectionError(f"unexpected handshake reply (type {kind})")
        e_r = reply[12:44]
        c = _kdf(c, e_r, 1)[0]
        h = _hash(h + e_r)
        c = _kdf(c, _dh(eph, e_r), 1)[0]
        c = _kdf(c, _dh(static, e_r), 1)[0]
        c, tau, k = _kdf(c, b"\0" * 32, 3)
        h = _hash(h + tau)
        _open(k, 0, reply[44:60], h)  # raises if the server is not who the config says
        self.send_key, self.recv_key = _kdf(c, b"", 2)
        self.remote = sender

    def send(self, packet: bytes) -> None:
        padded = packet + b"\0" * (-len(packet) % 16)
        head = struct.pack("<B3xIQ", 4, self.remote, self.send_counter)
        self.sock.send(head + _aead(self.send_key, self.send_counter, padded, b""))
        self.send_counter += 1

    def recv(self) -> bytes:
        """The next IP packet from the tunnel (keepalives skipped)."""
        while True:
            data = self.sock.recv(65535)
            if data[0] != 4:
                continue
            counter = struct.unpack("<Q", data[8:16])[0]
            packet = _open(self.recv_key, counter, data[16:], b"")
            if packet:
                return packet[: struct.unpack("!H", packet[2:4])[0]]


class TCP:
    """One TCP connection through a Tunnel, from the tunnel's address to (ip, port)."""

    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01

    def __init__(self, tunnel: Tunnel, ip: str, port: int):
        self.t, self.dst, self.dport = tunnel, socket.inet_aton(ip), port
        self.src = socket.inet_aton(tunnel.peer.address)
        self.sport = random.randint(20000, 60000)
        self.seq = random.getrandbits(32)
        self._packet(self.SYN)
        self.seq += 1
        flags, seq, _, _ = self._segment()
        if not flags & self.SYN:
            raise ConnectionError("no SYN-ACK")
        self.ack = (seq + 1) & 0xFFFFFFFF
        self._packet(self.ACK)

    def _packet(self, flags: int, payload: bytes = b"") -> None:
        tcp = struct.pack(
            "!HHIIBBHHH", self.sport, self.dport, self.seq, getattr(self, "ack", 0), 5 << 4, flags, 65535, 0, 0
        )
        pseudo = self.src + self.dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp + payload)) + tcp[18:]
        ip = struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            20 + len(tcp) + len(payload),
            os.getpid() & 0xFFFF,
            0x4000,
            64,
            6,
            0,
            self.src,
            self.dst,
        )
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        self.t.send(ip + tcp + payload)

    def _segment(self) -> tuple[int, int, int, bytes]:
        while True:
            packet = self.t.recv()
            if packet[9] != 6:
                continue
            tcp = packet[(packet[0] & 0x0F) * 4 :]
            sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", tcp[:14])
            if sport == self.dport and dport == self.sport:
                return flags, seq, ack, tcp[(off >> 4) * 4 :]

    def exchange(self, request: bytes, done) -> bytes:
        """Send `request`, read until `done(received)` is true or the server closes."""
        self._packet(self.PSH | self.ACK, request)
        self.seq = (self.seq + len(request)) & 0xFFFFFFFF
        received = b""
        while not done(received):
            flags, seq, _, data = self._segment()
            if data and seq == self.ack:
                received += data
                self.ack = (self.ack + len(data)) & 0xFFFFFFFF
                self._packet(self.ACK)
            if flags & self.FIN:
                break
        self._packet(self.FIN | self.ACK)
        return received


def http_complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False
