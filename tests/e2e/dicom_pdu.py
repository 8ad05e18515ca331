"""A raw DICOM upper-layer client (PS3.8) for tests that need to misbehave on purpose: stall in
the middle of a data set, send an empty data set, or hold an association open doing nothing.
DCMTK's tools cannot do these things, and pynetdicom is not available here.
"""
import socket
import struct

APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"
VERIFICATION = "1.2.840.10008.1.1"
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"

C_STORE_RQ, C_ECHO_RQ = 0x0001, 0x0030
NO_DATA_SET, DATA_SET_PRESENT = 0x0101, 0x0000


def _uid(value):
    raw = value.encode()
    return raw + b"\0" if len(raw) % 2 else raw


def _item(kind, payload):
    return struct.pack(">BBH", kind, 0, len(payload)) + payload


def _pdu(kind, payload):
    return struct.pack(">BBI", kind, 0, len(payload)) + payload


def _element(group, elem, value):
    if len(value) % 2:
        value += b"\0"
    return struct.pack("<HHI", group, elem, len(value)) + value


def _us(v):
    return struct.pack("<H", v)


def command(field, sop_class, message_id, data_set_type, sop_instance=None):
    """A DIMSE command set, implicit VR little endian, with its group length."""
    body = _element(0, 0x0002, _uid(sop_class))
    body += _element(0, 0x0100, _us(field))
    body += _element(0, 0x0110, _us(message_id))
    if field == C_STORE_RQ:
        body += _element(0, 0x0700, _us(0))
    body += _element(0, 0x0800, _us(data_set_type))
    if sop_instance:
        body += _element(0, 0x1000, _uid(sop_instance))
    return _element(0, 0x0000, struct.pack("<I", len(body))) + body


def parse_command(raw):
    """{(group, element): bytes} of an implicit VR little endian command set."""
    out, pos = {}, 0
    while pos + 8 <= len(raw):
        group, elem, length = struct.unpack_from("<HHI", raw, pos)
        out[(group, elem)] = raw[pos + 8:pos + 8 + length]
        pos += 8 + length
    return out


class Association:
    """One association over a plain TCP socket; contexts are (id, abstract, [syntaxes])."""

    def __init__(self, port, calling, called="ARCA", contexts=None, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        contexts = contexts or [(1, VERIFICATION, [IMPLICIT_LE])]
        items = _item(0x10, APPLICATION_CONTEXT.encode())
        for pcid, abstract, syntaxes in contexts:
            sub = _item(0x30, abstract.encode())
            for ts in syntaxes:
                sub += _item(0x40, ts.encode())
            items += _item(0x20, struct.pack(">BBBB", pcid, 0, 0, 0) + sub)
        user = _item(0x51, struct.pack(">I", 16384)) + _item(0x52, b"1.2.826.0.1.3680043.9.7433")
        items += _item(0x50, user)
        header = struct.pack(">HH", 1, 0) + called.ljust(16).encode() + \
            calling.ljust(16).encode() + bytes(32)
        self.sock.sendall(_pdu(0x01, header + items))
        kind, payload = self.read_pdu()
        self.accepted = kind == 0x02
        self.result = kind
        self.accepted_contexts = set()
        if self.accepted:
            pos = 68
            while pos + 4 <= len(payload):
                item, _, length = struct.unpack_from(">BBH", payload, pos)
                if item == 0x21 and payload[pos + 6] == 0:  # result 0: acceptance
                    self.accepted_contexts.add(payload[pos + 4])
                pos += 4 + length

    def _recv(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("peer closed the connection")
            data += chunk
        return data

    def read_pdu(self):
        kind, _, length = struct.unpack(">BBI", self._recv(6))
        return kind, self._recv(length)

    def send_pdv(self, pcid, fragment, is_command, last=True):
        control = (1 if is_command else 0) | (2 if last else 0)
        pdv = struct.pack(">IBB", len(fragment) + 2, pcid, control) + fragment
        self.sock.sendall(_pdu(0x04, pdv))

    def read_command(self):
        """The next command set the peer sends (fragments joined)."""
        raw = b""
        while True:
            kind, payload = self.read_pdu()
            if kind != 0x04:
                raise ConnectionError(f"expected P-DATA-TF, got PDU type {kind:#x}")
            pos = 0
            while pos < len(payload):
                length, _, control = struct.unpack_from(">IBB", payload, pos)
                raw += payload[pos + 6:pos + 4 + length]
                pos += 4 + length
                if control & 0x03 == 0x03:
                    return parse_command(raw)

    def echo(self, pcid=1, message_id=1):
        """C-ECHO; returns the response status."""
        self.send_pdv(pcid, command(C_ECHO_RQ, VERIFICATION, message_id, NO_DATA_SET), True)
        return struct.unpack("<H", self.read_command()[(0, 0x0900)])[0]

    def release(self):
        self.sock.sendall(_pdu(0x05, bytes(4)))
        kind, _ = self.read_pdu()
        self.sock.close()
        return kind == 0x06

    def close(self):
        self.sock.close()
