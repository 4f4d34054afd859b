"""axe-core, for the accessibility tests, installed from the npm registry: a pinned version,
checked against its sha512 before use, unpacked into .cache/ (not committed). `make test`
runs this; it does nothing when the file is already there.

    python -m scripts.fetch_axe        # prints the path of axe.min.js
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "4.14.1"
INTEGRITY = (  # the registry's dist.integrity of that version
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37Ogu"
    "dVGtQ=="
)
TARGET = ROOT / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"


def fetch() -> Path:
    if TARGET.is_file():
        return TARGET
    # (npm's own setting, lower case as npm writes it, names a mirror where there is one)
    registry = os.environ.get("npm_config_registry") or "https://registry.npmjs.org"  # noqa: SIM112
    registry = registry.rstrip("/")
    url = f"{registry}/axe-core/-/axe-core-{VERSION}.tgz"
    with urllib.request.urlopen(url, timeout=120) as answer:
        data = answer.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"axe-core {VERSION} from {url} does not match its checksum; not used.")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        script = archive.extractfile("package/axe.min.js")
        licence = archive.extractfile("package/LICENSE")
        assert script is not None and licence is not None
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        (TARGET.parent / "LICENSE").write_bytes(licence.read())
        partial = TARGET.with_suffix(".part")
        partial.write_bytes(script.read())
        partial.replace(TARGET)
    return TARGET


if __name__ == "__main__":
    print(fetch())
    sys.exit(0)
