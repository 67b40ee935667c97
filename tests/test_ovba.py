"""The MS-OVBA encoder and the CFB writer, read back by independent readers (oletools'
decompressor, olefile), on edge sizes and on xlwings' own VBA."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from addin import cfb, ovba
from addin.vba import template_modules, template_path

RNG = random.Random(11)


def _chunks(packed: bytes) -> list[tuple[int, int]]:
    """(flag, size) of every chunk header of a CompressedContainer, read from the bytes."""
    out, pos = [], 1
    while pos < len(packed):
        header = struct.unpack_from("<H", packed, pos)[0]
        assert header >> 12 & 0b111 == 0b011, "chunk signature"
        out.append((header >> 15, (header & 0x0FFF) + 3))
        pos += (header & 0x0FFF) + 3
    assert pos == len(packed)
    return out


def _stored_exactly(data: bytes) -> bytes:
    """``data`` compressed, checked to be all compressed chunks that oletools gives back exactly."""
    packed = ovba.compress(data)
    assert packed[0] == 1
    assert all(flag == 1 for flag, _size in _chunks(packed)), "a stored (flag 0) chunk"
    assert bytes(decompress_stream(bytearray(packed))) == data  # equal: not a byte added or lost
    assert ovba.decompress(packed) == data
    return packed


@pytest.mark.parametrize("size", [0, 1, 2, 3, 17, 4095, 4096, 4097, 8192, 12289, 50000])
@pytest.mark.parametrize("kind", ["repetitive", "text"])
def test_compression_round_trips_through_oletools(size, kind):
    if kind == "repetitive":
        data = (b"ab" * size)[:size]
    else:
        data = (b"Function F(table, Optional period)\r\n    F = XLPy.CallUDF(\"m\", \"F\")\r\n" * (size // 40 + 1))[:size]
    packed = _stored_exactly(data)
    if size > 100:
        assert len(packed) < len(data) / 2  # it really compresses


#: A compressed chunk holds at most 4096 bytes: n literals need n + ceil(n / 8) (a flag byte per
#: eight tokens), so up to 3,640 bytes of anything fit; past that only compressible data does.
ANYTHING_FITS = 3640


@pytest.mark.parametrize("size", [1, 100, 3639, 3640])
def test_incompressible_chunks_up_to_3640_bytes_are_still_compressed_chunks(size):
    _stored_exactly(bytes(RNG.getrandbits(8) for _ in range(size)))


@pytest.mark.parametrize("size", [3641, 3700, 4095, 4096, 4097, 8192, 12289])
def test_incompressible_chunks_past_that_are_refused_never_padded(size):
    data = bytes(RNG.getrandbits(8) for _ in range(size))
    with pytest.raises(ovba.IncompressibleError, match="已拒绝写入"):
        ovba.compress(data)
    # a compressible first part does not save an incompressible last chunk
    with pytest.raises(ovba.IncompressibleError, match="第 2 块"):
        ovba.compress(b"a" * 4096 + data[:3700])


@pytest.mark.slow
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3 * 4096 + 64) | st.integers(0, 3 * 4096 + 64).flatmap(
    lambda n: st.integers(0, 2**32).map(lambda seed: random.Random(seed).randbytes(n))))
def test_any_bytes_are_stored_exactly_in_compressed_chunks_or_refused(data):
    try:
        _stored_exactly(data)
    except ovba.IncompressibleError:
        # refused only where some chunk is longer than what always fits
        assert any(len(data[i:i + 4096]) > ANYTHING_FITS for i in range(0, len(data), 4096))


VBA_WORDS = ["Public ", "Private ", "Function ", "Sub ", "End Function", "End Sub", "Dim ", " As ", "String",
             "Long", "Variant", "Optional ", "ByVal ", "If ", " Then", "Else", "End If", "For ", " To ", "Next ",
             "\r\n", "\r\n", "    ", "(", ")", ", ", " = ", " & ", "\"", "' ", "Exit Sub", "On Error GoTo ",
             "Set ", "Nothing", "XLPy.CallUDF(", "RunPython ", "Application.", "TzText(\"", ".Value", "#If ",
             "Attribute VB_Name = ", "MsgBox ", "vbCrLf", "Call ", "True", "False"]


def _vba_like(seed: int, length: int) -> bytes:
    """VBA-like source: keywords, identifiers, numbers, hex runs (TzText), comments, CRLF lines."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < length:
        pick = rng.random()
        if pick < 0.6:
            word = rng.choice(VBA_WORDS)
        elif pick < 0.8:
            word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789")
                           for _ in range(rng.randint(1, 14)))
        elif pick < 0.9:
            word = str(rng.randint(0, 10**rng.randint(1, 9)))
        else:  # a Chinese text as TzText spells it: 4 hex digits per UTF-16 unit
            word = "".join(f"{rng.randint(0x4E00, 0x9FA5):04X}" for _ in range(rng.randint(1, 30)))
        out.append(word)
        size += len(word)
    return "".join(out).encode("cp1252")[:length]


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 3 * 4096 + 64))
def test_vba_like_texts_of_any_length_are_stored_exactly_in_compressed_chunks(seed, length):
    _stored_exactly(_vba_like(seed, length))


@pytest.mark.slow
def test_the_add_ins_own_modules_cut_at_every_length_of_the_risky_zone_need_no_stored_chunk():
    """Every final-chunk length from 3,641 to 4,095 bytes (where a stored chunk used to be padded),
    cut from the modules the add-in really carries."""
    from addin.vba import project_modules

    with zipfile.ZipFile(template_path()) as z:
        modules = project_modules(z.read("xl/vbaProject.bin"))
    source = "".join(m.source for m in modules).encode("cp1252")
    for m in modules:
        _stored_exactly(m.source.encode("cp1252"))
    for n in range(ANYTHING_FITS + 1, 4096):
        _stored_exactly(source[4096:4096 + n])  # a final chunk of n bytes


def test_xlwings_template_modules_are_read_and_re_encoded_unchanged():
    with zipfile.ZipFile(template_path()) as z:
        modules = template_modules(z.read("xl/vbaProject.bin"))
    names = {m.name: m.kind for m in modules}
    assert names == {"ThisWorkbook": ovba.DOCUMENT, "Dictionary": ovba.CLASS, "RibbonMyAddin": ovba.PROCEDURAL,
                     "Sheet2": ovba.DOCUMENT, "xlwings": ovba.PROCEDURAL}
    for m in modules:
        raw = m.source.encode("cp1252")
        assert bytes(decompress_stream(bytearray(ovba.compress(raw)))) == raw


def test_project_encryption_decrypts_excels_values_and_round_trips():
    # xlwings' template as Excel saved it: not protected, no password, visible
    assert ovba.decrypt("5D5F8AADDAA8DEA8DEA8DEA8DE") == (0xD7, b"\x00\x00\x00\x00")
    assert ovba.decrypt("5D5F8AADDAADDBADDBAD") == (0xD7, b"\x00")
    assert ovba.decrypt("5D5F8AADDAADDBADDB52") == (0xD7, b"\xff")
    assert sum(b"{318BEE36-5BE1-492A-826D-473DB19B0F30}") & 0xFF == 0xD7
    for seed in (0, 2, 4, 6, 0x5D, 0xFF):
        for data in (b"\x00", b"\xff", b"\x00\x00\x00\x00", b"secret"):
            assert ovba.decrypt(ovba.encrypt(data, "{ABC}", seed)) == (sum(b"{ABC}") & 0xFF, data)


def test_cfb_streams_read_back_with_olefile():
    streams = {"PROJECT": b"x" * 100, "PROJECTwm": b"", "VBA/dir": b"y" * 5000, "VBA/_VBA_PROJECT": b"\xcc\x61"}
    for i in range(40):
        streams[f"VBA/Module{i}"] = bytes(RNG.getrandbits(8) for _ in range(RNG.choice([1, 63, 64, 65, 4095, 4096, 9000])))
    data = cfb.write(streams)
    assert data == cfb.write(dict(reversed(list(streams.items()))))  # order-independent, reproducible
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content, path
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE


def test_cfb_directory_is_a_valid_red_black_tree():
    streams = {f"S{i:02d}": b"z" for i in range(13)}
    ole = olefile.OleFileIO(io.BytesIO(cfb.write(streams)))
    entries = {e.sid: e for e in ole.direntries if e is not None}
    root = entries[0]

    def black_height(sid, parent_red=False):
        if sid == olefile.NOSTREAM:
            return 1
        e = entries[sid]
        red = e.color == 0
        assert not (red and parent_red), "a red node with a red child"
        left, right = black_height(e.sid_left, red), black_height(e.sid_right, red)
        assert left == right, "paths of unequal black height"
        if e.sid_left != olefile.NOSTREAM:
            assert (len(entries[e.sid_left].name), entries[e.sid_left].name.upper()) < (len(e.name), e.name.upper())
        return left + (0 if red else 1)

    assert entries[root.sid_child].color == 1  # the tree's root is black
    black_height(root.sid_child)


def test_cfb_storages_have_start_sector_and_size_zero():
    # [MS-CFB] 2.6.3: "If this is a storage object, this field MUST be set to all zeroes"
    streams = {"PROJECT": b"x" * 10, "VBA/dir": b"y" * 10, "VBA/Sub/Deep": b"z" * 5000}
    data = cfb.write(streams)
    ole = olefile.OleFileIO(io.BytesIO(data))
    storages = [e for e in ole.direntries if e is not None and e.entry_type == olefile.STGTY_STORAGE]
    assert {e.name for e in storages} == {"VBA", "Sub"}
    for e in storages:  # the raw entry (directory sectors are contiguous in our writer), not olefile's view
        raw = data[512 * (1 + ole.first_dir_sector) + 128 * e.sid:][:128]
        assert struct.unpack_from("<IQ", raw, 116) == (0, 0), e.name
