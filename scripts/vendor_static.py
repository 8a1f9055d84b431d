"""Copy the browser assets the pages use from node_modules into src/hotline/web/static/vendor.

Run by ``./dev`` after ``npm ci`` (package.json + package-lock.json pin every version). The pages
then load everything from the service itself: a government intranet has no CDN.
Usage: python scripts/vendor_static.py [--check]  (--check: exit 1 if a file is missing)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "hotline" / "web" / "static" / "vendor"

# node_modules path -> path under static/vendor
FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "alpinejs/dist/cdn.min.js": "alpine.min.js",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
    "swagger-ui-dist/oauth2-redirect.html": "swagger-ui/oauth2-redirect.html",
    "swagger-ui-dist/favicon-32x32.png": "swagger-ui/favicon-32x32.png",
    "redoc/bundles/redoc.standalone.js": "redoc/redoc.standalone.js",
}
# Bundled, not copied: JsSIP ships CommonJS only, so esbuild (a pinned devDependency) makes one
# browser module of it through package.json's script.
BUNDLES = {"build:jssip": "jssip.js"}
LICENCES = {
    "htmx.org/LICENSE": "LICENSE.htmx",
    "swagger-ui-dist/LICENSE": "LICENSE.swagger-ui",
    "redoc/LICENSE": "LICENSE.redoc",
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    missing = []
    for source, target in {**FILES, **LICENCES}.items():
        src, dst = NODE / source, VENDOR / target
        if check and source in FILES:
            if not dst.exists():
                missing.append(str(dst.relative_to(ROOT)))
            continue
        if check:
            continue
        if not src.exists():
            if source in LICENCES:
                continue
            missing.append(str(src.relative_to(ROOT)))
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    for script, target in BUNDLES.items():
        if check:
            if not (VENDOR / target).exists():
                missing.append(str((VENDOR / target).relative_to(ROOT)))
            continue
        built = subprocess.run(["npm", "run", "--silent", script], cwd=ROOT, check=False)
        if built.returncode != 0:
            missing.append(f"{target} (npm run {script} failed)")
    if missing:
        sys.stderr.write("vendor_static: missing " + ", ".join(missing) + " (run: npm ci)\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
