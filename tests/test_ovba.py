"""The MS-OVBA encoder and the CFB writer, read back by independent readers (oletools'
decompressor, olefile), on edge sizes and on xlwings' own VBA."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import olefile
import pytest
from oletools.olevba import decompress_stream

from addin import cfb, ovba
from addin.vba import template_modules, template_path

RNG = random.Random(11)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 17, 4095, 4096, 4097, 8192, 12289, 50000])
@pytest.mark.parametrize("kind", ["random", "repetitive", "text"])
def test_compression_round_trips_through_oletools(size, kind):
    if kind == "random":
        data = bytes(RNG.getrandbits(8) for _ in range(size))
    elif kind == "repetitive":
        data = (b"ab" * size)[:size]
    else:
        data = (b"Function F(table, Optional period)\r\n    F = XLPy.CallUDF(\"m\", \"F\")\r\n" * (size // 40 + 1))[:size]
    packed = ovba.compress(data)
    assert packed[0] == 1
    assert bytes(decompress_stream(bytearray(packed)))[:size] == data
    assert ovba.decompress(packed)[:size] == data
    if kind != "random" and size > 100:
        assert len(packed) < len(data) / 2  # it really compresses


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
