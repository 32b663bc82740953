"""`rasa test` end-to-end on the stories in tests/bot/stories/ (every journey, its unhappy paths,
and the main journeys in Indonesian and Hebrew), against the trained model: NLU and dialogue."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devstack.stack import ROOT
from tests.conftest import model_path, venv_paths

STORIES = ROOT / "tests" / "bot" / "stories"


@pytest.mark.parametrize("language", ["en", "id", "he"])
def test_stories_pass(language: str, tmp_path: Path) -> None:
    rasa = Path(venv_paths()["BOT_VENV"]) / "bin" / "rasa"
    result = subprocess.run(
        [str(rasa), "test", "core", "--e2e", "--fail-on-prediction-errors", "--model", str(model_path()),
         "--stories", str(STORIES / f"test_stories_{language}.yml"), "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
             "HOME": str(Path.home())},
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, detail
