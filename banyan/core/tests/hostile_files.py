"""Hostile uploads for tests, built by hand so the tests themselves stay small and fast: an
image that declares far more pixels than its bytes, a PDF hiding an executable, zip bombs."""

import io
import struct
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_declaring(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of width × height pixels, all black: a 13,000 × 13,000
    one is about 20 KB of file and 169 MB (mode "1") to 676 MB (RGBA) once decoded. Built
    row by row, so making it never holds more than a few hundred rows."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte "none", then 1 bit per pixel
    compressor = zlib.compressobj(9)
    rows_per_block = 256
    parts = [compressor.compress(row * rows_per_block) for _ in range(height // rows_per_block)]
    parts.append(compressor.compress(row * (height % rows_per_block)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


# The first bytes of a Windows executable: the MZ header and its DOS stub.
PE_STUB = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\xb8"
    + b"\x00" * 7
    + b"\x40"
    + b"\x00" * 35
    + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 7
    + b"PE\x00\x00\x4c\x01\x03\x00"
    + b"\x00" * 400
)


ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44


def on_a_page(document: bytes, program: bytes, ending: bytes = b"") -> bytes:
    """`document`, padded to the next 4 KB boundary, then `program`, then `ending`: how an
    executable hides inside a file that starts (and ends) as something else."""
    padding = b"\0" * (-len(document) % 4096)
    return document + padding + program + ending


def small_pdf() -> bytes:
    """A genuine one-page PDF, with its cross-reference table and trailer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_declaring_a_huge_entry() -> bytes:
    """A tiny zip whose central directory claims one entry of almost 4 GB: what a zip bomb
    looks like to anyone who reads the directory before inflating anything."""
    data = zip_of({"word/document.xml": b"<w:document/>"})
    central = data.index(b"PK\x01\x02")
    # The uncompressed size sits 24 bytes into a central directory record.
    return data[: central + 24] + struct.pack("<I", 0xFFFFFFFE) + data[central + 28 :]


def zip_with_entries(count: int) -> bytes:
    """A small zip of `count` empty entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr(f"f{number}", b"")
    return out.getvalue()


@contextmanager
def peak_memory():
    """The growth of this process's peak resident memory (bytes) during the block, measured
    by the kernel: Pillow's pixel buffers are C allocations tracemalloc never sees. Yields a
    list that holds the growth once the block is over; [None] where /proc cannot reset the
    peak (not Linux)."""
    result: list = []
    status = Path("/proc/self/status")

    def kilobytes(key: str) -> int:
        for line in status.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
        raise LookupError(key)

    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        before = kilobytes("VmRSS:")
    except OSError:
        yield result
        result.append(None)
        return
    yield result
    result.append((kilobytes("VmHWM:") - before) * 1024)
