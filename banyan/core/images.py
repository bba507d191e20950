"""Uploaded images: judged by the size their header declares before anything is decoded,
verified, re-encoded, never trusted as sent.

A 20 KB PNG can declare 13,000 × 13,000 pixels and take gigabytes once decoded (a
decompression bomb). Every image upload goes through `check_image` first, which reads only the
header; `Image.MAX_IMAGE_PIXELS` is set to the same limit at startup (`CoreConfig.ready`), so
any decode elsewhere is refused by Pillow too.
"""

import io
import math
import secrets
import struct
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from banyan.core.errors import ValidationFailed

ALLOWED_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
_NOT_AN_IMAGE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error)
_TOO_LARGE = (Image.DecompressionBombError, Image.DecompressionBombWarning)


def image_max_pixels() -> int:
    """Width × height an uploaded image may declare (`BANYAN_IMAGE_MAX_PIXELS`)."""
    return settings.BANYAN_IMAGE_MAX_PIXELS


def limit_pillow_decoding() -> None:
    """Pillow refuses (above 2×) or warns about (above 1×) images past our limit, wherever
    they are opened. Called once at startup."""
    Image.MAX_IMAGE_PIXELS = image_max_pixels()


def _declared(data: bytes, formats) -> tuple[str, tuple[int, int]] | None:
    """The format (one of `formats`) and size the header declares, read the way `Image.open`
    reads them (lazily) but before its own bomb check, so a refusal can say how large the
    image claims to be."""
    Image.init()
    prefix = data[:16]
    for name in formats:
        factory, accept = Image.OPEN.get(name, (None, None))
        if factory is None:
            continue
        try:
            if accept is not None and not accept(prefix):
                continue
            with factory(io.BytesIO(data), None) as image:
                return image.format, image.size
        except (*_NOT_AN_IMAGE, IndexError, TypeError):
            continue
    return None


def _other_format(data: bytes, formats) -> str | None:
    """The name of another image format the data recognisably is (by its magic bytes)."""
    others = [name for name in Image.ID if name not in formats and Image.OPEN[name][1]]
    declared = _declared(data, others)
    return declared[0] if declared else None


def _too_large(field: str, size: tuple[int, int]) -> ValidationFailed:
    limit = image_max_pixels()
    side = math.isqrt(limit)
    return ValidationFailed(
        {
            field: [
                _(
                    "The image is %(width)d × %(height)d pixels; at most %(limit)s pixels "
                    "(%(side)d × %(side)d) are accepted."
                )
                % {"width": size[0], "height": size[1], "limit": f"{limit:,}", "side": side}
            ]
        }
    )


def _not_an_image(field: str, formats) -> ValidationFailed:
    if tuple(formats) == ALLOWED_IMAGE_FORMATS:
        message = _("This file is not a PNG, JPEG or WebP image (SVG is not accepted).")
    else:
        message = _("This file is not a %(formats)s image.") % {"formats": " / ".join(formats)}
    return ValidationFailed({field: [message]})


def check_image(data: bytes, *, field: str, formats=ALLOWED_IMAGE_FORMATS) -> tuple[str, tuple]:
    """(format, (width, height)) of an image in one of `formats`, refused naming `field` when
    it is not one, when its header declares more than `image_max_pixels()` pixels, or when its
    structure does not verify. Nothing is decoded: memory stays that of the file."""
    declared = _declared(data, formats)
    if declared is None:
        other = _other_format(data, formats)
        if other is None:
            raise _not_an_image(field, formats)
        if tuple(formats) == ALLOWED_IMAGE_FORMATS:
            message = _("%(format)s images are not accepted: upload a PNG, JPEG or WebP image.")
        else:
            message = _("%(format)s images are not accepted: upload a %(formats)s image.")
        raise ValidationFailed(
            {field: [message % {"format": other, "formats": " / ".join(formats)}]}
        )
    image_format, size = declared
    if max(1, size[0]) * max(1, size[1]) > image_max_pixels():
        raise _too_large(field, size)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(formats)) as probe:
                probe.verify()
    except _TOO_LARGE:
        raise _too_large(field, size) from None
    except _NOT_AN_IMAGE:
        raise _not_an_image(field, formats) from None
    return image_format, size


def reencode_image(
    upload, *, field: str, max_bytes: int, max_size: tuple[int, int], prefix: str
) -> ContentFile:
    """Check an uploaded PNG/JPEG/WebP and return it re-encoded as PNG, resized to fit.

    SVG, text renamed to .png, oversize files and images declaring more pixels than
    `image_max_pixels()` are refused naming `field`.
    """
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise ValidationFailed({field: [_("The file is empty.")]})
    if size > max_bytes:
        raise ValidationFailed(
            {
                field: [
                    _("The file is %(size).1f MB; at most %(max).0f MB is accepted.")
                    % {"size": size / 1024 / 1024, "max": max_bytes / 1024 / 1024}
                ]
            }
        )
    upload.seek(0)
    data = upload.read()
    _format, dimensions = check_image(data, field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_IMAGE_FORMATS)) as image:
                image.load()
                image = image.convert("RGBA")
                image.thumbnail(max_size, Image.Resampling.LANCZOS)
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
    except _TOO_LARGE:
        raise _too_large(field, dimensions) from None
    except _NOT_AN_IMAGE:
        raise ValidationFailed({field: [_("The image could not be read.")]}) from None
    return ContentFile(out.getvalue(), name=f"{prefix}-{secrets.token_hex(8)}.png")
