"""PNG bytes from an Agg canvas, for the widgets' fast pictures (blitting draws into the canvas; this encodes it)."""
from __future__ import annotations

import io


def canvas_png(canvas) -> bytes:
    """The canvas's current pixels as PNG bytes (RGB, fast compression: a widget frame, not an archive)."""
    from PIL import Image
    w, h = canvas.get_width_height()
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=1)
    return buf.getvalue()
