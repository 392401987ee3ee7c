"""Image files for upload tests, drawn by Pillow at test time (no binaries in the repository)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(
    *,
    format: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    colour: str | int = "tan",
    mode: str | None = None,
    **save: object,
) -> bytes:
    buffer = io.BytesIO()
    mode = mode or ("RGBA" if format == "PNG" else "RGB")
    Image.new(mode, size, colour).save(buffer, format=format, **save)
    return buffer.getvalue()


def upload(
    name: str = "defect.jpg", content: bytes | None = None, content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type=content_type)
