"""What one upload request costs the web worker: the photo pipeline on the largest photos it accepts.

    .venv/bin/python benchmarks/photo_uploads.py [--runs 5]

For each case it builds the pictures (Pillow, at run time), then runs what
the request runs — the per-request pixel check, then ``clean_photo`` (decode,
turn, scale, re-encode, thumbnail) for each photo — in a fresh process, and
prints the median wall and CPU time of ``--runs`` runs and the process's peak
resident memory beside what it held before processing (``VmHWM``, which
also sees Pillow's own allocations, unlike tracemalloc). Writing the two files to storage and one
row to the database are left out: they cost milliseconds.

Targets (issue 11): a 12-megapixel phone JPEG under 400 ms; the worst accepted
request (the most photos at the largest accepted size) under 5 s. The
request the issue reported (eight 6,324 × 6,324 PNGs) is refused by the
pixel budget after reading only the headers.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _encoded(picture: Image.Image, format_name: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def _photo_like(size: tuple[int, int]) -> Image.Image:
    """Smooth shapes with sensor noise: compresses about as well as a photo does."""
    width, height = size
    shapes = Image.effect_mandelbrot(size, (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    noise = Image.effect_noise(size, 24).convert("RGB")
    return Image.blend(shapes, noise, 0.25).resize((width, height))


def _noisy_png_under_10_mb() -> bytes:
    side = 1820  # 1820² RGB pixels of noise: just under the 10 MB file limit
    return _encoded(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "PNG")


def _flat_png(side: int) -> bytes:
    return _encoded(Image.new("RGB", (side, side), "tan"), "PNG")


def build_cases() -> dict[str, list[bytes]]:
    from claims.photos import LOSSLESS_PIXEL_COST, MAX_PHOTO_PIXELS, MAX_REQUEST_PIXELS
    from claims.services import MAX_PHOTOS_PER_CLAIM

    phone_jpeg = _encoded(_photo_like((4032, 3024)), "JPEG", quality=92)
    lossless_budget = MAX_REQUEST_PIXELS // LOSSLESS_PIXEL_COST
    side_of_budget_share = int((lossless_budget / MAX_PHOTOS_PER_CLAIM) ** 0.5)
    # Smooth shapes without noise: the noisy version of this size is over the 10 MB file limit.
    shapes = Image.effect_mandelbrot((side_of_budget_share,) * 2, (-2.0, -1.2, 1.0, 1.2), 60)
    budget_share_png = _encoded(shapes.convert("RGB"), "PNG")
    largest_side = int(MAX_PHOTO_PIXELS**0.5)
    largest_count = lossless_budget // (largest_side * largest_side)
    remainder_side = int((lossless_budget - largest_count * largest_side**2) ** 0.5) - 1
    return {
        "one 12 MP phone JPEG": [phone_jpeg],
        f"{MAX_PHOTOS_PER_CLAIM} × 12 MP phone JPEGs": [phone_jpeg] * MAX_PHOTOS_PER_CLAIM,
        f"{MAX_PHOTOS_PER_CLAIM} × {side_of_budget_share}² photo-like PNGs (the budget's share each)": [
            budget_share_png
        ]
        * MAX_PHOTOS_PER_CLAIM,
        f"{largest_count} × {largest_side}² + 1 × {remainder_side}² flat PNGs (largest photos)": [
            _flat_png(largest_side)
        ]
        * largest_count
        + [_flat_png(remainder_side)],
        f"{MAX_PHOTOS_PER_CLAIM} × 10 MB noisy PNGs (worst content per byte)": [_noisy_png_under_10_mb()]
        * MAX_PHOTOS_PER_CLAIM,
        "issue 11: 8 × 6324² PNGs of 132 KB (refused)": [_flat_png(6324)] * 8,
    }


def _peak_memory_mb() -> float:
    """The process's peak resident memory. ``VmHWM``, not ``ru_maxrss``: that one keeps the
    parent's peak across fork and exec, so a child would inherit the memory used to draw the pictures."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(folder: Path, runs: int) -> dict[str, object]:
    """In a fresh process: load the files, then time the request's photo work ``runs`` times."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.photos import PhotoRejected, check_request_pixels, clean_photo

    contents = [path.read_bytes() for path in sorted(folder.iterdir())]
    baseline = _peak_memory_mb()
    walls, cpus = [], []
    outcome = "stored"
    for _run in range(runs):
        uploads = [SimpleUploadedFile(f"photo-{index}", content) for index, content in enumerate(contents)]
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            check_request_pixels(uploads)
            for upload in uploads:
                clean_photo(upload)
        except PhotoRejected as rejection:
            outcome = f"refused: {rejection.message}"
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    peak = _peak_memory_mb()
    return {
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "baseline_mb": baseline,
        "peak_mb": peak,
        "outcome": outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--case-folder", type=Path, help=argparse.SUPPRESS)  # the child process
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    if arguments.case_folder:
        print(json.dumps(run_case(arguments.case_folder, arguments.runs)))
        return

    print(f"load average {os.getloadavg()[0]:.2f}; median of {arguments.runs} runs each")
    with tempfile.TemporaryDirectory() as scratch:
        for index, (label, contents) in enumerate(build_cases().items()):
            folder = Path(scratch) / f"case-{index}"
            folder.mkdir()
            for position, content in enumerate(contents):
                (folder / f"{position:02d}").write_bytes(content)
            child = subprocess.run(  # noqa: S603 - this script, with arguments it built
                [sys.executable, __file__, "--runs", str(arguments.runs), "--case-folder", str(folder)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            size = sum(len(content) for content in contents) / 1024 / 1024
            print(
                f"{label}\n    {len(contents)} file(s), {size:.1f} MB: "
                f"wall {figures['wall'] * 1000:7.0f} ms, CPU {figures['cpu'] * 1000:7.0f} ms, "
                f"peak memory {figures['peak_mb']:.0f} MB (process {figures['baseline_mb']:.0f} MB "
                f"with the files loaded); {figures['outcome']}"
            )


if __name__ == "__main__":
    main()
