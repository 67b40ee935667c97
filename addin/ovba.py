"""A VBA project written from source, per [MS-OVBA], so the add-in is complete off Windows.

What is here:
- ``compress`` / ``decompress``: the MS-OVBA run-length compression of module streams and
  of the ``dir`` stream (2.4.1);
- ``encrypt`` / ``decrypt``: the data encryption of the PROJECT stream's CMG, DPB and GC
  values (2.4.3), which hold "not protected", "no password" and "visible";
- ``project_streams``: every stream of a VBA storage (``PROJECT``, ``PROJECTwm``,
  ``VBA/_VBA_PROJECT``, ``VBA/dir`` and one stream per module) for a list of modules.

``_VBA_PROJECT`` says version 0xFFFF, i.e. no compiled p-code: the host compiles the
modules from their source on first load, as it does for xlwings' own template.  Module
streams hold the source alone (``MODULEOFFSET`` 0).  Everything is deterministic: the
same modules give the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CHUNK = 4096

# --- compression (2.4.1) -------------------------------------------------------------------


def _copy_token_help(difference: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) at ``difference`` bytes into a chunk."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(data: bytes) -> bytes:
    out = bytearray()
    pos, end = 0, len(data)
    index: dict[bytes, list[int]] = {}

    def remember(p: int) -> None:
        if p + 3 <= end:
            index.setdefault(data[p:p + 3], []).append(p)

    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos + 3 <= end:
                _, max_len = _copy_token_help(pos)
                limit = min(max_len, end - pos)
                for cand in reversed(index.get(data[pos:pos + 3], ())[-64:]):
                    n = 3
                    while n < limit and data[cand + n] == data[pos + n]:
                        n += 1
                    if n > best_len:
                        best_len, best_off = n, pos - cand
                        if n == limit:
                            break
            if best_len >= 3:
                bit_count, _ = _copy_token_help(pos)
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    remember(p)
                pos += best_len
            else:
                out.append(data[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


class IncompressibleError(ValueError):
    """A chunk of the data does not fit a compressed chunk: it could only be written as a stored
    (uncompressed) chunk, which this writer never does (see ``compress``)."""


def compress(data: bytes) -> bytes:
    """A CompressedContainer (signature 0x01 and chunks of at most 4096 source bytes), every
    chunk compressed (flag 1).

    The format also has stored chunks (flag 0), but a stored chunk always holds 4096 bytes: a
    shorter final chunk would come back padded with zeros, part of the module's source.  And
    public reports say Excel drops a module held in a stored chunk from the project tree, though
    readers decompress it.  So a chunk whose compressed form is over 4096 bytes (random bytes,
    not VBA source) is refused with ``IncompressibleError``; nothing is ever padded."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) > CHUNK:
            raise IncompressibleError(
                f"第 {start // CHUNK + 1} 块（第 {start + 1}–{start + len(chunk)} 字节）压缩后为 {len(body)} 字节，"
                f"超过 MS-OVBA 压缩块的上限 {CHUNK} 字节；VBA 模块只以压缩块保存，已拒绝写入（不做填充）")
        out += struct.pack("<H", 0x8000 | (0b011 << 12) | (len(body) + 2 - 3))
        out += body
    return bytes(out)


def decompress(data: bytes) -> bytes:
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        size, compressed = (header & 0x0FFF) + 3, header >> 15
        body = data[pos + 2:pos + size]
        pos += size
        start = len(out)
        if not compressed:
            out += body[:CHUNK]
            continue
        i = 0
        while i < len(body):
            flags = body[i]
            i += 1
            for bit in range(8):
                if i >= len(body):
                    break
                if not flags & (1 << bit):
                    out.append(body[i])
                    i += 1
                    continue
                token = struct.unpack_from("<H", body, i)[0]
                i += 2
                bit_count, _ = _copy_token_help(len(out) - start)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# --- data encryption of the PROJECT stream (2.4.3) -------------------------------------------


def encrypt(data: bytes, project_id: str, seed: int = 0x5D) -> str:
    """Hex text of ``data`` encrypted with ``project_id`` (its bytes summed are the key).

    A fixed seed keeps builds reproducible; the seed only varies the ciphertext."""
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    version = 2
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, out[2], out[1]

    def put(byte: int) -> None:
        nonlocal unencrypted_1, encrypted_1, encrypted_2
        enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, enc, byte

    for _ in range((seed & 6) // 2):
        put(0)
    for byte in struct.pack("<I", len(data)) + data:
        put(byte)
    return out.hex().upper()


def decrypt(text: str) -> tuple[int, bytes]:
    """(project key, data) of an encrypted PROJECT value."""
    enc = bytes.fromhex(text)
    seed, version_enc, proj_key_enc = enc[0], enc[1], enc[2]
    if seed ^ version_enc != 2:
        raise ValueError("unknown encryption version")
    proj_key = seed ^ proj_key_enc
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc_byte in enc[3:]:
        byte = enc_byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, enc_byte, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    return proj_key, bytes(plain[ignored + 4:ignored + 4 + length])


# --- the project ---------------------------------------------------------------------------

DOCUMENT, PROCEDURAL, CLASS = "document", "procedural", "class"


@dataclass(frozen=True)
class Module:
    name: str  # ASCII
    kind: str  # DOCUMENT, PROCEDURAL or CLASS
    source: str  # CRLF lines, starting with its Attribute lines
    docstring: str = ""  # MODULEDOCSTRING: the description the VBA editor shows for the module

    def encoded(self, codepage: str) -> bytes:
        return self.source.encode(codepage)


@dataclass(frozen=True)
class Reference:
    """A registered type library (REFERENCEREGISTERED), e.g. the Office object library that
    declares ``IRibbonControl``.  The host finds it by its GUID; the path is a hint."""
    name: str
    libid: str


OFFICE = Reference(
    "Office",
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
    r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library")

#: Values of the template this project follows (SysKind Win32, US English, Windows-1252).
SYS_KIND, LCID, CODEPAGE, CODEPAGE_NAME = 1, 0x0409, 1252, "cp1252"
VERSION_MAJOR, VERSION_MINOR = 0x61EEF783, 3
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


def _record(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(project_name: str, modules: list[Module], references: list[Reference]) -> bytes:
    """The decompressed ``dir`` stream (2.3.4.2)."""
    cp = CODEPAGE_NAME
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", SYS_KIND))
    out += _record(0x0002, struct.pack("<I", LCID))
    out += _record(0x0014, struct.pack("<I", LCID))
    out += _record(0x0003, struct.pack("<H", CODEPAGE))
    out += _record(0x0004, project_name.encode(cp))
    out += _record(0x0005, b"") + _record(0x0040, b"")  # doc string
    out += _record(0x0006, b"") + _record(0x003D, b"")  # help file
    out += _record(0x0007, struct.pack("<I", 0))  # help context
    out += _record(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, VERSION_MAJOR, VERSION_MINOR)
    out += _record(0x000C, b"") + _record(0x003C, b"")  # constants
    for ref in references:
        out += _record(0x0016, ref.name.encode(cp)) + _record(0x003E, _utf16(ref.name))
        libid = ref.libid.encode(cp)
        body = struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0)
        out += _record(0x000D, body)
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _record(0x0019, m.name.encode(cp)) + _record(0x0047, _utf16(m.name))
        out += _record(0x001A, m.name.encode(cp)) + _record(0x0032, _utf16(m.name))
        out += _record(0x001C, m.docstring.encode(cp, errors="replace")) + _record(0x0048, _utf16(m.docstring))
        out += _record(0x0031, struct.pack("<I", 0))  # the source starts the stream
        out += _record(0x001E, struct.pack("<I", 0))
        out += _record(0x002C, struct.pack("<H", 0xFFFF))
        out += _record(0x0021 if m.kind == PROCEDURAL else 0x0022, b"")
        out += _record(0x002B, b"")
    out += struct.pack("<HI", 0x0010, 0)
    return bytes(out)


def project_stream(project_name: str, project_id: str, modules: list[Module]) -> bytes:
    """The ``PROJECT`` stream (2.3.1): the project's properties as text."""
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind == DOCUMENT:
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == CLASS:
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    protection = encrypt(struct.pack("<I", 0), project_id)  # not protected
    password = encrypt(bytes([0x00]), project_id)  # no password
    visibility = encrypt(bytes([0xFF]), project_id)  # visible
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{protection}"',
        f'DPB="{password}"',
        f'GC="{visibility}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
    ]
    return "\r\n".join(lines).encode(CODEPAGE_NAME)


def projectwm_stream(modules: list[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode(CODEPAGE_NAME) + b"\x00" + _utf16(m.name) + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def project_streams(project_name: str, project_id: str, modules: list[Module],
                    references: list[Reference] = (OFFICE,)) -> dict[str, bytes]:
    """Every stream of the VBA storage, by path (``VBA/dir`` …)."""
    names = [m.name for m in modules]
    if len(set(n.upper() for n in names)) != len(names):
        raise ValueError(f"duplicate module names: {names}")
    streams = {
        "PROJECT": project_stream(project_name, project_id, modules),
        "PROJECTwm": projectwm_stream(modules),
        "VBA/_VBA_PROJECT": bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00]),
        "VBA/dir": compress(dir_stream(project_name, modules, list(references))),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(m.encoded(CODEPAGE_NAME))
    return streams


# --- reading a project (the template's modules) ---------------------------------------------


def read_modules(streams: dict[str, bytes]) -> list[Module]:
    """The modules of a VBA storage given as its streams (``VBA/dir`` and the module streams)."""
    data = decompress(streams["VBA/dir"])
    declared = {}
    for line in streams["PROJECT"].decode("latin-1").splitlines():
        key, _, value = line.partition("=")
        if key in ("Document", "Module", "Class"):
            declared[value.split("/")[0]] = {"Document": DOCUMENT, "Module": PROCEDURAL, "Class": CLASS}[key]
    pos, codepage = 0, CODEPAGE_NAME
    modules: list[Module] = []
    current: dict = {}
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == 0x0009:
            size = 6
        body = data[pos + 6:pos + 6 + size]
        pos += 6 + size
        if rid == 0x0003:
            codepage = f"cp{struct.unpack('<H', body)[0]}"
        elif rid == 0x0019:
            current = {"name": body.decode(codepage)}
        elif rid == 0x001A:
            current["stream"] = body.decode(codepage)
        elif rid == 0x0048:  # MODULEDOCSTRING's Unicode form
            current["docstring"] = body.decode("utf-16-le")
        elif rid == 0x0031:
            current["offset"] = struct.unpack("<I", body)[0]
        elif rid == 0x002B:
            raw = streams[f"VBA/{current['stream']}"][current["offset"]:]
            source = decompress(raw).decode(codepage)
            modules.append(Module(current["name"], declared.get(current["name"], PROCEDURAL), source,
                                  current.get("docstring", "")))
        elif rid == 0x0010:
            break
    return modules
