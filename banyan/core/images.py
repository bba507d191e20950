"""Uploaded images: verified by decoding them, re-encoded, never trusted as sent."""

import io
import secrets

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from banyan.core.errors import ValidationFailed

ALLOWED_IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}


def reencode_image(
    upload, *, field: str, max_bytes: int, max_size: tuple[int, int], prefix: str
) -> ContentFile:
    """Check an uploaded PNG/JPEG/WebP and return it re-encoded as PNG, resized to fit.

    SVG, text renamed to .png, animations and oversize files are refused naming `field`.
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
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(
            {field: [_("This file is not a PNG, JPEG or WebP image (SVG is not accepted).")]}
        ) from None
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationFailed(
            {
                field: [
                    _("%(format)s images are not accepted: upload a PNG, JPEG or WebP image.")
                    % {"format": image_format}
                ]
            }
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA")
            image.thumbnail(max_size, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed({field: [_("The image could not be read.")]}) from None
    return ContentFile(out.getvalue(), name=f"{prefix}-{secrets.token_hex(8)}.png")
