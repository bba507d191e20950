"""What an uploaded document really is: recognised by its first bytes, then checked through
to its structure as far as that is cheap, so a PDF header in front of a program, or a zip
that would unpack to gigabytes, is refused however it is named.

`check_document(data, kind=…)` takes the whole file (uploads are small: the caller has
limited the size already) and raises `ValidationFailed` on `field` with the reason.
"""

import io
import struct
import zipfile

from django.utils.translation import gettext as _

from banyan.core.errors import ValidationFailed
from banyan.core.images import check_image

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Kind → (the first bytes it starts with, the Pillow format when it is an image).
KINDS = {
    "pdf": ((b"%PDF-",), None),
    "png": ((b"\x89PNG\r\n\x1a\n",), "PNG"),
    "jpeg": ((b"\xff\xd8\xff",), "JPEG"),
    "ooxml": ((_ZIP,), None),  # .docx, .xlsx, .pptx: a zip with [Content_Types].xml
    "zip": ((_ZIP,), None),
    "ole": ((_OLE,), None),  # .doc, .xls
    "text": ((), None),
}

PDF_END_WITHIN = 1024  # "%%EOF" must be in the last kilobyte
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNPACKED_BYTES = 256 * 1024 * 1024

_DOS_STUB = b"This program cannot be run in DOS mode"
# Executables are laid out in pages: one hidden in a document starts on a page boundary.
_PAGE = 4096
_PROGRAM_MAGIC = (
    b"\x7fELF",  # Linux
    b"\xcf\xfa\xed\xfe",  # macOS (Mach-O), 64 and 32 bit, either byte order, universal
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xfe\xed\xfa\xce",
    b"\xca\xfe\xba\xbe",
)


def _refused(field: str, message) -> ValidationFailed:
    return ValidationFailed({field: [message]})


def _is_windows_program(data: bytes, offset: int) -> bool:
    """An MZ header at `offset` whose e_lfanew points at a "PE\\0\\0" signature."""
    if not data.startswith(b"MZ", offset) or len(data) < offset + 0x40:
        return False
    (pe_offset,) = struct.unpack_from("<I", data, offset + 0x3C)
    return data.startswith(b"PE\0\0", offset + pe_offset)


def holds_program(data: bytes) -> bool:
    """Whether the bytes start with, or carry on a page boundary, a Windows, Linux or macOS
    executable, or start as a script (#!)."""
    if data.startswith(b"#!") or _DOS_STUB in data:
        return True
    for offset in range(0, len(data), _PAGE):
        if data.startswith(_PROGRAM_MAGIC, offset) or _is_windows_program(data, offset):
            return True
    return False


def _check_pdf(data: bytes, *, field: str, name: str) -> None:
    if b"%%EOF" not in data[-PDF_END_WITHIN:]:
        raise _refused(
            field,
            _("%(name)s is not a complete PDF file: it does not end as a PDF does.")
            % {"name": name},
        )


def _check_zip(data: bytes, *, field: str, name: str, office: bool) -> None:
    """The central directory only: nothing is inflated, so a zip bomb costs nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise _refused(field, _("%(name)s is not a valid ZIP file.") % {"name": name}) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _refused(
            field,
            _("%(name)s holds more than %(count)d files.")
            % {"name": name, "count": MAX_ZIP_ENTRIES},
        )
    if sum(entry.file_size for entry in entries) > MAX_ZIP_UNPACKED_BYTES:
        raise _refused(
            field,
            _("%(name)s would unpack to more than %(size)d MB.")
            % {"name": name, "size": MAX_ZIP_UNPACKED_BYTES // (1024 * 1024)},
        )
    if office and "[Content_Types].xml" not in {entry.filename for entry in entries}:
        raise _refused(
            field, _("%(name)s is not a Word, Excel or PowerPoint file.") % {"name": name}
        )


def _check_text(data: bytes, *, field: str, name: str) -> None:
    not_text = _("%(name)s is not a text file.") % {"name": name}
    if b"\x00" in data:
        raise _refused(field, not_text)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise _refused(field, not_text) from None


def check_document(data: bytes, *, kind: str, field: str, name: str, type_label: str) -> None:
    """Refuse, naming `field` and the file `name`, a file whose content is not the `kind` its
    name says (`type_label`, e.g. "PDF"), that carries a program, or whose structure does not
    hold: a PDF that does not end as one, an image that does not verify or declares too many
    pixels, a zip that is broken or would unpack too far, text that is not UTF-8 or GB18030."""
    signatures, image_format = KINDS[kind]
    if signatures and not data.startswith(signatures):
        raise _refused(
            field,
            _("%(name)s is not really a %(type)s file: its content does not match its name.")
            % {"name": name, "type": type_label},
        )
    if holds_program(data):
        raise _refused(
            field,
            _("%(name)s contains a program; programs are not accepted as attachments.")
            % {"name": name},
        )
    if kind == "pdf":
        _check_pdf(data, field=field, name=name)
    elif image_format is not None:
        check_image(data, field=field, formats=(image_format,))
    elif kind in ("zip", "ooxml"):
        _check_zip(data, field=field, name=name, office=kind == "ooxml")
    elif kind == "text":
        _check_text(data, field=field, name=name)
