"""Hostile uploads, made at test time (no binaries in the repository).

Each builder returns the bytes of one file an attacker, or an unlucky phone,
might send as a "photo".
"""

import io
import struct
import zipfile
import zlib

from PIL import Image

from tests.portal.images import image_bytes


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes whose header claims ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def png_bomb() -> bytes:
    """A real decompression bomb: 49 million pixels of one colour, a few kilobytes compressed."""
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) is patched to claim ``width`` × ``height``."""
    data = bytearray(image_bytes(format="JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """A lossless WebP whose VP8L header is patched to claim ``width`` × ``height`` (at most 16384)."""
    data = bytearray(image_bytes(format="WEBP", lossless=True))
    header = data.index(b"VP8L") + 8
    assert data[header] == 0x2F
    (bits,) = struct.unpack("<I", data[header + 1 : header + 5])
    bits = (bits & ~0x0FFFFFFF) | (width - 1) | ((height - 1) << 14)
    data[header + 1 : header + 5] = struct.pack("<I", bits)
    return bytes(data)


def gif_declaring(width: int, height: int) -> bytes:
    data = bytearray(image_bytes(format="GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def bmp_declaring(width: int, height: int) -> bytes:
    data = bytearray(image_bytes(format="BMP"))
    data[18:26] = struct.pack("<ii", width, height)
    return bytes(data)


def animated(format: str) -> bytes:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=format, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("shell.php", "<?php system($_GET['c']); ?>")
    return buffer.getvalue()


def jpeg_with_comment(comment: bytes) -> bytes:
    """A JPEG with a COM segment: the place a polyglot hides a script inside a valid picture."""
    data = image_bytes(format="JPEG")
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:2] + segment + data[2:]


def jpeg_with_huge_exif() -> bytes:
    """A JPEG whose EXIF fills a whole segment with a malformed directory claiming huge counts."""
    directory = b"II*\x00\x08\x00\x00\x00" + b"\x01\x00" + b"\x12\x01\x03\x00\xff\xff\xff\x7f\x00\x00\x00\x00"
    exif = b"Exif\x00\x00" + directory + b"\xab" * (65_000 - len(directory))
    segment = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    data = image_bytes(format="JPEG", size=(640, 480))
    return data[:2] + segment + data[2:]


def png_with_corrupt_pixels() -> bytes:
    """A PNG whose compressed pixel data (IDAT) is overwritten halfway through."""
    data = bytearray(image_bytes(format="PNG", size=(200, 200)))
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    body = idat + 4
    data[body + 2 : body + length] = b"\xff" * (length - 2)
    return bytes(data)


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def sixteen_bit_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("I;16", (64, 48), 40_000).save(buffer, format="PNG")
    return buffer.getvalue()


def mode_image(mode: str, format: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (64, 48)).save(buffer, format=format, **save)
    return buffer.getvalue()


JPEG = image_bytes(format="JPEG")
PNG = image_bytes(format="PNG")
THIRTY_MEGABYTES = JPEG + b"\x00" * (30 * 1024 * 1024)

# name → (file name, bytes). Every one must be refused with a message, and nothing stored.
HOSTILE: dict[str, tuple[str, bytes]] = {
    # Decompression bombs and huge dimensions in small files, for each format.
    "png declaring 100000 × 100000": ("bomb.png", png_declaring(100_000, 100_000)),
    "png declaring 50 megapixels": ("wide.png", png_declaring(10_000, 5_000)),
    "png decompression bomb (49 MP of one colour)": ("flat.png", png_bomb()),
    "jpeg declaring 65500 × 65500": ("bomb.jpg", jpeg_declaring(65_500, 65_500)),
    "jpeg declaring 50 megapixels": ("wide.jpg", jpeg_declaring(10_000, 5_000)),
    "webp declaring 16384 × 16384": ("bomb.webp", webp_declaring(16_384, 16_384)),
    "webp declaring 8000 × 8000": ("wide.webp", webp_declaring(8_000, 8_000)),
    "gif declaring 65535 × 65535": ("bomb.gif", gif_declaring(65_535, 65_535)),
    "bmp declaring 60000 × 60000 as .jpg": ("bomb.jpg", bmp_declaring(60_000, 60_000)),
    # Polyglots.
    "jpeg + zip": ("holiday.jpg", JPEG + zip_archive()),
    "gif + javascript": (
        "pixel.gif",
        b"GIF89a/*" + image_bytes(format="GIF")[8:] + b"*/=1;alert(1)//<script>",
    ),
    "png + appended html": ("page.png", PNG + b"<html><script>alert(document.cookie)</script></html>"),
    "png + appended php": ("shell.png", PNG + b"<?php system($_GET['c']); ?>"),
    "jpeg with php in a comment": ("comment.jpg", jpeg_with_comment(b"<?php echo 'owned'; ?>")),
    "jpeg + appended html": ("page.jpg", JPEG + b"<!DOCTYPE html><iframe src=//evil.example>"),
    "svg with a script": (
        "vector.jpg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "html named .jpg": ("index.jpg", b"<html><body onload=alert(1)>hello</body></html>"),
    # Wrong types under image names.
    "pdf named .jpg": ("scan.jpg", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
    "windows executable named .jpg": (
        "setup.jpg",
        b"MZ\x90\x00\x03" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200,
    ),
    "elf executable named .png": ("run.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    "zip named .jpg": ("archive.jpg", zip_archive()),
    "text named .jpg": ("notes.jpg", b"Just some text, not a picture.\n" * 20),
    "tiff named .jpg": ("scan.jpg", image_bytes(format="TIFF")),
    "gif named .jpg": ("still.jpg", image_bytes(format="GIF")),
    # Truncated, damaged and empty files.
    "empty file": ("empty.jpg", b""),
    "truncated jpeg": ("cut.jpg", half(image_bytes(format="JPEG", size=(640, 480)))),
    "jpeg header only": ("head.jpg", JPEG[:120]),
    "truncated png": ("cut.png", half(image_bytes(format="PNG", size=(200, 200)))),
    "png with corrupt pixel data": ("corrupt.png", png_with_corrupt_pixels()),
    "truncated webp": ("cut.webp", half(image_bytes(format="WEBP", size=(200, 200)))),
    # Animations.
    "animated gif": ("moving.gif", animated("GIF")),
    "animated png (apng)": ("moving.png", animated("PNG")),
    "animated webp": ("moving.webp", animated("WEBP")),
    # Size.
    "30 MB file": ("huge.jpg", THIRTY_MEGABYTES),
}

# Hostile names: with hostile content they are refused like any other file; with a real
# photo they are stored under a random name, inside the media folder, never their own.
HOSTILE_NAMES = [
    "../../etc/passwd.jpg",
    "..\\..\\windows\\win.ini.jpg",
    "/etc/cron.d/evil.jpg",
    "photo\x00.php.jpg",
    "a" * 1000 + ".jpg",
    "ảnh lỗi 🙂 写真.jpg",
    '<img src=x onerror="alert(1)">.jpg',
    "CON.jpg",
    ".htaccess",
]

# Unusual but genuine photos: stored, re-encoded, with no metadata left.
GENUINE_EDGE_CASES: dict[str, tuple[str, bytes]] = {
    "cmyk jpeg": ("print.jpg", mode_image("CMYK", "JPEG")),
    "grayscale jpeg": ("grey.jpg", mode_image("L", "JPEG")),
    "16-bit png": ("deep.png", sixteen_bit_png()),
    "palette png with transparency": ("palette.png", mode_image("P", "PNG", transparency=0)),
    "1-bit png": ("mono.png", mode_image("1", "PNG")),
    "grey + alpha png": ("la.png", mode_image("LA", "PNG")),
    "webp with alpha": ("alpha.webp", mode_image("RGBA", "WEBP")),
    "jpeg with a huge malformed exif": ("exif.jpg", jpeg_with_huge_exif()),
}
