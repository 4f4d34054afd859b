"""Build the partial plotly.js bundle served from assets/: only the trace types the dashboard
draws, from the npm package of the plotly.js version Dash would serve (the Python plotly
package's), so that a first visit downloads and compiles a third of the full library.

    python -m scripts.plotly_bundle          # rebuild assets/05_plotly-partial.min.js
    python -m scripts.plotly_bundle --check  # exit 1 if the bundle is missing or stale

Needs node and npm (the npm registry) only to rebuild; the built file is committed and the
app never fetches anything. dcc.Graph uses `window.Plotly` when it exists, so with this file
in assets/ (loaded before the renderer starts) Dash never requests its own full
plotly.min.js. Adding a trace type to a module of dashboard/views/figures/ means adding it to
TRACES and rebuilding (tests/test_delivery.py fails until then).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "assets" / "05_plotly-partial.min.js"
LICENSE = ROOT / "assets" / "PLOTLY-LICENSE.txt"
# The trace types of the dashboard's figures (scatter is in plotly.js's core; scattergeo
# writes the map's labels).
TRACES = ("bar", "box", "choropleth", "scattergeo")
ESBUILD = "0.28.1"  # plotly.js 4.1.1's own (its devDependencies)

ENTRY = """'use strict';
var Plotly = require('plotly.js/lib/core');
Plotly.register([%s]);
module.exports = Plotly;
"""

# plotly.js's own esbuild settings for its dist bundles (esbuild-config.js), minified; the
# CSS, GLSL and regl plugins concern only trace types left out here.
BUILD = """
const esbuild = require('esbuild');
esbuild.build({
  entryPoints: ['./entry.js'],
  outfile: './bundle.min.js',
  format: 'iife',
  globalName: 'Plotly',
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  define: {global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false'},
  alias: {stream: 'stream-browserify'},
  target: 'es2016',
  logLevel: 'warning',
}).catch(() => process.exit(1));
"""


def plotly_version() -> str:
    """The plotly.js version of the Python plotly package (what Dash serves by default)."""
    from plotly.offline import get_plotlyjs_version

    return str(get_plotlyjs_version())


def header(version: str) -> str:
    return (
        f"/**\n* plotly.js v{version}, partial bundle: core (scatter) + {', '.join(TRACES)}\n"
        "* built by scripts/plotly_bundle.py from the npm package\n"
        "* Copyright 2012-2026, Plotly, Inc. All rights reserved.\n"
        "* Licensed under the MIT license\n*/\n"
    )


def bundled_version(path: Path = BUNDLE) -> str | None:
    if not path.exists():
        return None
    match = re.search(r"plotly\.js v(\S+), partial bundle", path.read_text()[:300])
    return match.group(1) if match else None


def build(version: str, out: Path) -> None:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if not npm or not node:
        raise SystemExit("node and npm are needed to build the bundle.")
    with tempfile.TemporaryDirectory(prefix="plotly-bundle-") as tmp:
        work = Path(tmp)
        package = {
            "name": "vsla-plotly-bundle",
            "private": True,
            "dependencies": {"plotly.js": version, "esbuild": ESBUILD},
        }
        (work / "package.json").write_text(json.dumps(package, indent=2))
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=work,
            check=True,
        )
        # esbuild's binary comes from its platform package; its install script is not run
        subprocess.run([node, "node_modules/esbuild/install.js"], cwd=work, check=True)
        requires = ", ".join(f"require('plotly.js/lib/{t}')" for t in TRACES)
        (work / "entry.js").write_text(ENTRY % requires)
        (work / "build.js").write_text(BUILD)
        subprocess.run([node, "build.js"], cwd=work, check=True)
        body = (work / "bundle.min.js").read_text()
        licence = (work / "node_modules" / "plotly.js" / "LICENSE").read_text()
    out.write_text(header(version) + body)
    out.with_name(LICENSE.name).write_text(licence)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUNDLE)
    parser.add_argument("--check", action="store_true", help="is the bundle there and current?")
    args = parser.parse_args(argv)
    version = plotly_version()
    if args.check:
        found = bundled_version(args.out)
        if found != version:
            print(f"{args.out}: plotly.js {found} (wanted {version}); rebuild it.", file=sys.stderr)
            return 1
        print(f"{args.out}: plotly.js {version}, current.")
        return 0
    build(version, args.out)
    print(f"Written {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, plotly.js {version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
