"""The Teams app package: the template in teams/ and the zip build_package writes from it."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from guidance_bot.teams_package import (
    PACKAGE_NAME,
    TeamsPackageError,
    build_package,
    bundled_manifest_dir,
)

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "teams"
APP_ID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def template(tmp_path: Path) -> Path:
    copy = tmp_path / "template"
    shutil.copytree(TEMPLATE, copy)
    return copy


def test_bundled_template_is_found():
    assert (bundled_manifest_dir() / "manifest.json").is_file()


def test_template_manifest_shape():
    manifest = json.loads((TEMPLATE / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert manifest["id"] == manifest["bots"][0]["botId"] == "{{MICROSOFT_APP_ID}}"
    assert manifest["name"]["short"] == "品川区 ガイダンスボット"
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert manifest["developer"]["name"] == "Shinagawa City"
    assert all(
        manifest["developer"][key].startswith("https://")
        for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")
    )
    assert manifest["validDomains"]
    [bot] = manifest["bots"]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    [commands] = bot["commandLists"]
    assert [c["title"] for c in commands["commands"]] == ["help", "consult", "checklist"]
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands["commands"])
    english = json.loads((TEMPLATE / "en-us.json").read_text(encoding="utf-8"))
    # The command menu says what each command does: consult opens the request form, checklist the self-check.
    described = {c["title"]: (c["description"], english[f"bots[0].commandLists[0].commands[{i}].description"])
                 for i, c in enumerate(commands["commands"])}
    assert "法律相談を申し込みます" in described["consult"][0] and "legal consultation" in described["consult"][1]
    assert "セルフチェック" in described["checklist"][0] and "self-check" in described["checklist"][1]
    assert english["name.short"] == "guidance-bot"
    assert len(english["description.short"]) <= 80


def test_template_icons():
    assert png_size((TEMPLATE / "color.png").read_bytes()) == (192, 192)
    assert png_size((TEMPLATE / "outline.png").read_bytes()) == (32, 32)


def test_build_writes_zip_with_app_id(tmp_path: Path):
    out = build_package(APP_ID, tmp_path / "dist" / "teams.zip", TEMPLATE)
    assert out == tmp_path / "dist" / "teams.zip"
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "en-us.json", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        assert archive.read("color.png") == (TEMPLATE / "color.png").read_bytes()
        assert archive.read("outline.png") == (TEMPLATE / "outline.png").read_bytes()
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID.lower()
    assert "{{" not in json.dumps(manifest)
    assert manifest["name"]["short"] == "品川区 ガイダンスボット"


def test_build_into_directory_and_reproducible(tmp_path: Path):
    first = build_package(APP_ID, tmp_path, TEMPLATE)
    assert first == tmp_path / PACKAGE_NAME
    data = first.read_bytes()
    second = build_package(f"  {APP_ID.lower()} ", tmp_path, TEMPLATE)
    assert second.read_bytes() == data
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "not-a-guid", "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", "3F2504E04F8911D39A0C0305E82C3301",
     "3F2504E0-4F89-11D3-9A0C-0305E82C330", "{{MICROSOFT_APP_ID}}"],
)
def test_app_id_must_be_guid(tmp_path: Path, bad: str):
    with pytest.raises(TeamsPackageError) as caught:
        build_package(bad, tmp_path / "x.zip", TEMPLATE)
    message = str(caught.value)
    assert "GUID" in message and "指定してください" in message and "must be a GUID" in message
    assert isinstance(caught.value, ValueError)
    assert not (tmp_path / "x.zip").exists()


def test_missing_template(tmp_path: Path):
    with pytest.raises(TeamsPackageError, match="not found"):
        build_package(APP_ID, tmp_path / "x.zip", tmp_path / "nowhere")


def test_missing_icon(template: Path, tmp_path: Path):
    (template / "outline.png").unlink()
    with pytest.raises(TeamsPackageError, match="outline.png"):
        build_package(APP_ID, tmp_path / "x.zip", template)


def test_wrong_icon_size(template: Path, tmp_path: Path):
    shutil.copy(template / "outline.png", template / "color.png")
    with pytest.raises(TeamsPackageError, match="192x192"):
        build_package(APP_ID, tmp_path / "x.zip", template)


def test_unknown_placeholder(template: Path, tmp_path: Path):
    path = template / "manifest.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace("token.botframework.com", "{{PUBLIC_HOST}}"),
        encoding="utf-8",
    )
    with pytest.raises(TeamsPackageError, match="PUBLIC_HOST"):
        build_package(APP_ID, tmp_path / "x.zip", template)


def test_invalid_json(template: Path, tmp_path: Path):
    path = template / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8") + ",", encoding="utf-8")
    with pytest.raises(TeamsPackageError, match="JSON"):
        build_package(APP_ID, tmp_path / "x.zip", template)


# -- guidance-bot teams-package -------------------------------------------------------------------

TEAMS_ENV = ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE",
             "GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED", "GUIDANCE_CONFIG")


@pytest.fixture
def clean_env(monkeypatch):
    for name in TEAMS_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_cli_writes_package_with_configured_app_id(clean_env, tmp_path: Path, capsys):
    from guidance_bot.cli import main

    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "11111111-1111-1111-1111-111111111111")
    assert main(["teams-package", "--out", str(tmp_path)]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == tmp_path / PACKAGE_NAME
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID.lower()


def test_cli_app_id_option_wins(clean_env, tmp_path: Path, capsys):
    from guidance_bot.cli import main

    other = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert main(["teams-package", "--app-id", other, "--out", str(tmp_path / "x.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "x.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == other


@pytest.mark.parametrize("argv, message", [
    ([], "MICROSOFT_APP_ID が設定されていません"),
    (["--app-id", "not-a-guid"], "must be a GUID"),
])
def test_cli_refuses_missing_or_bad_app_id(clean_env, tmp_path: Path, capsys, argv, message):
    from guidance_bot.cli import main

    assert main(["teams-package", "--out", str(tmp_path / "x.zip"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
