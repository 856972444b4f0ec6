"""Build the Microsoft Teams app package (the zip uploaded to Teams) from the ``teams/`` template.

The template directory holds ``manifest.json`` with ``{{MICROSOFT_APP_ID}}`` placeholders,
the two icons (``color.png`` 192x192, ``outline.png`` 32x32) and the localization files
the manifest lists. ``build_package`` substitutes the bot's Microsoft App ID (a GUID),
checks the result and writes a zip with those files at its root, as Teams expects.

Pure standard library: no Teams SDK import, so the package can be built anywhere.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["TeamsPackageError", "build_package", "bundled_manifest_dir", "PACKAGE_NAME"]

PACKAGE_DIR = Path(__file__).resolve().parent
PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
PACKAGE_NAME = "guidance-bot-teams.zip"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ANY_PLACEHOLDER = re.compile(r"\{\{[A-Za-z0-9_]+\}\}")
_ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
# Fixed timestamp so the same inputs give the same zip bytes.
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)


class TeamsPackageError(ValueError):
    """A problem building the Teams package, with a message in Japanese and English."""


def bundled_manifest_dir() -> Path:
    """The ``teams/`` template shipped in the wheel, or the source tree's when installed editable."""
    packaged = PACKAGE_DIR / "teams_app"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parents[1] / "teams"


def build_package(app_id: str, out: Path, manifest_dir: Path) -> Path:
    """Write the Teams app package for ``app_id`` and return the zip's path.

    ``out`` is the zip file to write, or an existing directory to write
    ``guidance-bot-teams.zip`` into; missing parent directories are created.
    Raises ``TeamsPackageError`` (a ``ValueError``) when the app id is not a GUID or
    the template is incomplete or invalid.
    """
    app_id = _check_app_id(app_id)
    manifest_dir = Path(manifest_dir)
    manifest_path = manifest_dir / "manifest.json"
    if not manifest_path.is_file():
        raise TeamsPackageError(
            f"Teams マニフェストのテンプレートが見つかりません: {manifest_path}"
            f" / Teams manifest template not found: {manifest_path}"
        )

    template = manifest_path.read_text(encoding="utf-8")
    if PLACEHOLDER not in template:
        raise TeamsPackageError(
            f"{manifest_path} に {PLACEHOLDER} がありません。テンプレートを確認してください"
            f" / {manifest_path} has no {PLACEHOLDER} placeholder; check the template"
        )
    text = template.replace(PLACEHOLDER, app_id)
    leftover = sorted(set(_ANY_PLACEHOLDER.findall(text)))
    if leftover:
        raise TeamsPackageError(
            f"{manifest_path} に置き換えられないプレースホルダーがあります: {', '.join(leftover)}"
            f" / {manifest_path} has placeholders this command does not fill: {', '.join(leftover)}"
        )
    try:
        manifest = json.loads(text)
    except ValueError as error:
        raise TeamsPackageError(
            f"{manifest_path} が正しい JSON ではありません: {error}"
            f" / {manifest_path} is not valid JSON: {error}"
        ) from None

    files = _referenced_files(manifest, manifest_path)
    for role, name in files.items():
        path = manifest_dir / name
        if not path.is_file():
            raise TeamsPackageError(
                f"マニフェストが参照するファイルがありません: {path}"
                f" / file referenced by the manifest is missing: {path}"
            )
        if role in _ICON_SIZES:
            _check_icon(path, role)
        elif name.endswith(".json"):
            try:
                json.loads(path.read_text(encoding="utf-8"))
            except ValueError as error:
                raise TeamsPackageError(
                    f"{path} が正しい JSON ではありません: {error} / {path} is not valid JSON: {error}"
                ) from None

    out = Path(out)
    if out.is_dir():
        out = out / PACKAGE_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        for name in sorted(set(files.values())):
            _write(archive, name, (manifest_dir / name).read_bytes())
    tmp.replace(out)
    return out


def _check_app_id(app_id: str) -> str:
    value = (app_id or "").strip()
    if not _GUID.match(value):
        shown = value or "(空 / empty)"
        raise TeamsPackageError(
            f"MICROSOFT_APP_ID は GUID 形式（例: 00000000-0000-0000-0000-000000000000）で指定してください。"
            f"指定された値: {shown}"
            f" / MICROSOFT_APP_ID must be a GUID (e.g. 00000000-0000-0000-0000-000000000000);"
            f" got: {shown}"
        )
    return value.lower()


def _referenced_files(manifest: dict[str, Any], manifest_path: Path) -> dict[str, str]:
    """Files the package must contain besides manifest.json, keyed by role."""
    icons = manifest.get("icons") or {}
    files: dict[str, str] = {}
    for role in _ICON_SIZES:
        name = icons.get(role)
        if not isinstance(name, str) or not name:
            raise TeamsPackageError(
                f"{manifest_path} の icons.{role} がありません / {manifest_path} lacks icons.{role}"
            )
        files[role] = name
    languages = (manifest.get("localizationInfo") or {}).get("additionalLanguages") or []
    for index, language in enumerate(languages):
        name = language.get("file") if isinstance(language, dict) else None
        if isinstance(name, str) and name:
            files[f"language{index}"] = name
    for name in files.values():
        if "/" in name or "\\" in name or name.startswith("."):
            raise TeamsPackageError(
                f"パッケージのファイルは manifest.json と同じ階層に置いてください: {name}"
                f" / package files must sit next to manifest.json: {name}"
            )
    return files


def _check_icon(path: Path, role: str) -> None:
    expected = _ICON_SIZES[role]
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise TeamsPackageError(f"{path} は PNG ではありません / {path} is not a PNG file")
    size = struct.unpack(">II", data[16:24])
    if size != expected:
        raise TeamsPackageError(
            f"{path} は {expected[0]}x{expected[1]} ピクセルである必要があります（現在 {size[0]}x{size[1]}）"
            f" / {path} must be {expected[0]}x{expected[1]} pixels (it is {size[0]}x{size[1]})"
        )


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
