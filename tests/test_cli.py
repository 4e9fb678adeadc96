from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from runform import __version__
from runform.batch import BatchInterrupted, BatchReport
from runform.cli import _exit_codes, app
from runform.errors import NoRunnerError
from tests.videos import write_video

runner = CliRunner()


def test_version_and_help():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"runform {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "analyze" in result.output and "side" in result.output


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_missing_file_is_a_one_line_error(tmp_path):
    line = _one_line_error(runner.invoke(app, ["analyze", str(tmp_path / "missing.mp4")]))
    assert "does not exist" in line


def test_folder_is_a_one_line_error(tmp_path):
    line = _one_line_error(runner.invoke(app, ["analyze", str(tmp_path)]))
    assert "is a folder" in line


def test_bad_model_is_a_one_line_error_saying_how_to_get_one(tmp_path):
    video = write_video(tmp_path / "clip.mp4", [0, 0.04])
    model, out = str(tmp_path / "x.task"), str(tmp_path / "o")
    args = ["analyze", str(video), "--model", model, "--out", out]
    line = _one_line_error(runner.invoke(app, args))
    assert "build_models.py" in line
    assert not (tmp_path / "o" / "summary.json").exists()


def test_usage_mistakes_keep_exit_code_2(tmp_path):
    video = write_video(tmp_path / "clip.mp4", [0, 0.04])
    assert runner.invoke(app, ["analyze", str(video), "--height-cm", "20"]).exit_code == 2
    assert runner.invoke(app, ["analyze"]).exit_code == 2
    assert runner.invoke(app, ["dance"]).exit_code == 2


def test_refuses_an_out_folder_that_would_overwrite_the_input(tmp_path):
    video = write_video(tmp_path / "summary.json", [0, 0.04])
    before = video.read_bytes()
    line = _one_line_error(runner.invoke(app, ["analyze", str(video), "--out", str(tmp_path)]))
    assert "over the input" in line
    assert video.read_bytes() == before


@pytest.mark.parametrize(("raised", "code", "line"), [
    (NoRunnerError("no person [red]x[/red] was seen."), 1,
     "error: no person [red]x[/red] was seen."),
    (KeyboardInterrupt(), 130, "interrupted: run again."),
    (BatchInterrupted(BatchReport(Path("in"), Path("out"), results=[], pending=["a.mp4"],
                                  outputs={})),
     130, "interrupted: 0 ok, 0 failed, 0 skipped, 1 not analysed. run again."),
])
def test_exit_codes_turn_errors_and_ctrl_c_into_one_plain_line(capsys, raised, code, line):
    with pytest.raises(typer.Exit) as caught, _exit_codes("run again."):
        raise raised
    assert caught.value.exit_code == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


def test_exit_codes_let_bugs_keep_their_traceback():
    with pytest.raises(ZeroDivisionError), _exit_codes("run again."):
        1 / 0  # noqa: B018


@pytest.mark.parametrize("command", ["analyze", "batch", "report"])
def test_each_command_says_what_it_writes_and_shows_examples(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "Examples" in result.output and f"runform {command} " in result.output
    assert ("report.html" if command != "batch" else "index.html") in result.output
