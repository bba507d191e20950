"""Uploaded images are judged by the size their header declares, before any decoding."""

import io

import pytest
from django.conf import settings
from PIL import Image

from banyan.core.errors import ValidationFailed
from banyan.core.images import check_image
from banyan.core.tests.hostile_files import peak_memory, png_declaring


def test_pillow_refuses_what_the_setting_refuses_wherever_an_image_is_opened():
    assert Image.MAX_IMAGE_PIXELS == settings.BANYAN_IMAGE_MAX_PIXELS == 4096 * 4096


def test_an_image_at_the_limit_is_accepted_and_one_pixel_more_is_refused():
    assert check_image(png_declaring(4096, 4096), field="logo") == ("PNG", (4096, 4096))

    with pytest.raises(ValidationFailed) as refused:
        check_image(png_declaring(4097, 4096), field="logo")

    assert refused.value.errors == {
        "logo": [
            "The image is 4097 × 4096 pixels; at most 16,777,216 pixels (4096 × 4096) are accepted."
        ]
    }


def test_a_smaller_limit_is_the_setting(settings):
    settings.BANYAN_IMAGE_MAX_PIXELS = 100 * 100

    with pytest.raises(ValidationFailed) as refused:
        check_image(png_declaring(101, 100), field="file")

    assert refused.value.errors == {
        "file": ["The image is 101 × 100 pixels; at most 10,000 pixels (100 × 100) are accepted."]
    }


def test_a_bomb_is_refused_without_decoding_it():
    bomb = png_declaring(13_000, 13_000)

    with peak_memory() as growth, pytest.raises(ValidationFailed):
        check_image(bomb, field="logo")

    if growth[0] is not None:
        assert growth[0] < 20 * 1024 * 1024


def test_formats_outside_the_list_are_refused_by_name():
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")

    with pytest.raises(ValidationFailed) as as_a_logo:
        check_image(gif.getvalue(), field="logo")
    with pytest.raises(ValidationFailed) as as_a_png:
        check_image(png_declaring(4, 4)[:40], field="file", formats=("PNG",))

    assert as_a_logo.value.errors == {
        "logo": ["GIF images are not accepted: upload a PNG, JPEG or WebP image."]
    }
    assert as_a_png.value.errors == {"file": ["This file is not a PNG image."]}
