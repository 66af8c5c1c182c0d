"""Third-party browser code the query page needs, fetched once by ``make install``.

    python -m ofsted_kg.web.vendor            # download, check and unpack what is missing
    python -m ofsted_kg.web.vendor --check    # exit 1 if it is missing or not the pinned version

YASGUI (Zazuko's maintained fork of Triply's SPARQL editor and results viewer) comes from the npm
registry as one tarball whose ``build/`` folder is self-contained: one UMD script with its
dependencies bundled, one stylesheet with no fonts or images to fetch. The tarball is pinned by
version and by the registry's ``dist.integrity`` (sha512): a download that does not match is
refused, and nothing is unpacked. Only the built files are kept, in ``server/static/vendor/``
(git-ignored), so the app serves them itself and the page loads nothing from elsewhere.

Only the Python standard library is used: a machine with Python and make is enough.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
STAMP = ".installed"


@dataclass(frozen=True)
class Package:
    name: str  # the npm package
    version: str
    integrity: str  # the registry's dist.integrity for that version
    folder: str  # where it is unpacked under VENDOR_DIR
    files: dict[str, str]  # path in the tarball -> file name kept

    @property
    def tarball_url(self) -> str:
        scope_free = self.name.rsplit("/", 1)[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{scope_free}-{self.version}.tgz"


YASGUI = Package(
    name="@zazuko/yasgui",
    version="4.6.2",
    integrity="sha512-Zw45KdPoAE1KRaAoxIHdQqeJxvaVG1oQdntw0hy0ktX35Zu8ZccuOLrXCLwR+GU+0xMzLw8Mjw6BkSZV2vUuQw==",
    folder="yasgui",
    files={
        "package/build/yasgui.min.js": "yasgui.min.js",
        "package/build/yasgui.min.css": "yasgui.min.css",
        "package/package.json": "package.json",
    },
)

PACKAGES = (YASGUI,)


class VendorError(Exception):
    pass


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise unless ``data`` has the Subresource-Integrity-style digest ``integrity``."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha512", "sha384", "sha256"):
        raise VendorError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise VendorError(f"integrity mismatch: expected {integrity}, got {algorithm}-{actual}")


def unpack(package: Package, data: bytes, target: Path) -> None:
    """Check ``data`` (the package tarball) and put its kept files in ``target``, all or nothing."""
    check_integrity(data, package.integrity)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{package.folder}-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member_name, kept_name in package.files.items():
                try:
                    member = archive.getmember(member_name)
                except KeyError:
                    raise VendorError(f"{package.name} has no {member_name}") from None
                handle = archive.extractfile(member)
                if handle is None:
                    raise VendorError(f"{member_name} in {package.name} is not a file")
                (staging / kept_name).write_bytes(handle.read())
        (staging / STAMP).write_text(
            json.dumps(
                {"name": package.name, "version": package.version, "integrity": package.integrity}
            )
            + "\n",
            encoding="utf-8",
        )
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def is_installed(package: Package, vendor_dir: Path = VENDOR_DIR) -> bool:
    stamp = vendor_dir / package.folder / STAMP
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        recorded.get("integrity") == package.integrity
        and all((vendor_dir / package.folder / f).is_file() for f in package.files.values())
    )


def download(url: str, timeout: float = 60.0) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "ofsted-kg-vendor"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read()
    return data


def install(vendor_dir: Path = VENDOR_DIR, *, quiet: bool = False) -> None:
    for package in PACKAGES:
        if is_installed(package, vendor_dir):
            continue
        if not quiet:
            print(f"fetching {package.name}@{package.version}", file=sys.stderr)
        try:
            data = download(package.tarball_url)
        except OSError as exc:
            raise VendorError(f"cannot download {package.tarball_url}: {exc}") from None
        unpack(package, data, vendor_dir / package.folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ofsted_kg.web.vendor",
        description="Fetch the pinned browser packages the query page serves (YASGUI).",
    )
    parser.add_argument("--check", action="store_true", help="only check that they are installed")
    args = parser.parse_args(argv)
    if args.check:
        missing = [p.name for p in PACKAGES if not is_installed(p)]
        for name in missing:
            print(f"missing: {name} (run 'make install')", file=sys.stderr)
        return 1 if missing else 0
    try:
        install()
    except VendorError as exc:
        print(f"ofsted-kg vendor: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
