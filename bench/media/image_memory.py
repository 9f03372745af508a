"""Peak memory of preparing an uploaded image (evidence.media.prepare.media_prepare), one size per process.

A PNG of one colour is a few kilobytes whatever its pixel count, so it measures what decoding costs, not what the
upload costs. Each size runs in a fresh process (ru_maxrss only grows); reported: the file size, whether the
pipeline stored or refused it, and how much the peak resident set grew while it ran.

Usage: python bench/media/image_memory.py [WIDTHxHEIGHT ...]   (default: 6000x4000 8000x5000 10000x10000)
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys


def _one(width: int, height: int) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
    import django

    django.setup()
    from PIL import Image

    from xinren.core.errors import InvalidInput
    from xinren.evidence.media.prepare import media_prepare

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    data = out.getvalue()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        prepared = media_prepare(content=data, filename="bench.png", kinds=frozenset({"image"}))
        result = f"stored {prepared.width}×{prepared.height}"
    except InvalidInput as refused:
        result = f"refused ({refused.code})"
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return (f"{width}×{height} ({width * height / 1e6:.0f} MP, {len(data) / 1024:.0f} KiB): {result}, "
            f"peak RSS +{grew:.0f} MiB")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        width, height = (int(x) for x in sys.argv[2].split("x"))
        print(_one(width, height))
        return
    for size in sys.argv[1:] or ["6000x4000", "8000x5000", "10000x10000"]:
        subprocess.run([sys.executable, __file__, "--one", size], check=True)


if __name__ == "__main__":
    main()
