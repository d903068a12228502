"""manage.py load_framework and export_framework."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from surveys.frameworks.loader import load_framework_file, load_framework_text
from surveys.models import Framework, FrameworkStatus
from surveys.models.frameworks import Question
from tests.frameworks.helpers import DEFAULT_FRAMEWORK, FIXTURES


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class LoadFrameworkCommandTests(TestCase):
    def test_loading_and_publishing_the_default_framework(self) -> None:
        out, _ = run("load_framework", str(DEFAULT_FRAMEWORK), "--publish")
        self.assertIn("created dcna 2026.1 (published)", out)
        framework = Framework.objects.get(code="dcna", version="2026.1")
        self.assertEqual(framework.status, FrameworkStatus.PUBLISHED)
        self.assertEqual(Question.objects.filter(framework=framework).count(), 60)

    def test_loading_the_same_published_file_again_says_nothing_changed(self) -> None:
        run("load_framework", str(DEFAULT_FRAMEWORK), "--publish")
        out, _ = run("load_framework", str(DEFAULT_FRAMEWORK), "--publish")
        self.assertIn("nothing changed", out)
        self.assertEqual(Framework.objects.count(), 1)

    def test_a_bad_file_lists_every_problem_and_writes_nothing(self) -> None:
        text = (FIXTURES / "tiny-v1.yaml").read_text(encoding="utf-8")
        broken = text.replace("weight: 0.4", "weight: -0.4").replace('fr: "Usage"', 'de: "Nutzung"')
        path = self._write(broken)
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "3 problems") as caught:
            call_command("load_framework", str(path), stdout=StringIO(), stderr=err)
        self.assertIn("nothing was written", str(caught.exception))
        lines = err.getvalue().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertIn("pillars[0].indicators[0].questions[0].weight: must be 0 or more", lines[0])
        self.assertFalse(Framework.objects.exists())

    def test_malformed_yaml_fails_with_the_line(self) -> None:
        path = self._write("code: [unclosed\n")
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("load_framework", str(path), stdout=StringIO(), stderr=err)
        self.assertIn("line ", err.getvalue())
        self.assertFalse(Framework.objects.exists())

    def test_a_missing_file_is_a_clear_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "cannot read"):
            run("load_framework", "/nonexistent/framework.yaml")

    def test_changing_a_published_version_is_refused(self) -> None:
        run("load_framework", str(FIXTURES / "tiny-v1.yaml"), "--publish")
        text = (FIXTURES / "tiny-v1.yaml").read_text(encoding="utf-8")
        path = self._write(text.replace("target: 70", "target: 80"))
        with self.assertRaisesMessage(CommandError, "cannot change; give the changed framework"):
            run("load_framework", str(path), "--publish")

    def test_a_translation_of_a_published_version_is_accepted(self) -> None:
        run("load_framework", str(FIXTURES / "tiny-v1.yaml"), "--publish")
        text = (FIXTURES / "tiny-v1.yaml").read_text(encoding="utf-8")
        path = self._write(text.replace("Tiny framework", "Tiny framework (corrected)"))
        output, _ = run("load_framework", str(path), "--publish")
        self.assertIn("texts updated (1 changed)", output)
        self.assertEqual(Framework.objects.get().title["en"], "Tiny framework (corrected)")

    def test_the_exit_status_is_non_zero_on_error(self) -> None:
        import subprocess
        import sys

        path = self._write("code: [unclosed\n")
        completed = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", "load_framework", str(path)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://:memory:"},
            check=False,
        )
        self.assertEqual(completed.returncode, 1, completed.stderr)
        self.assertIn("malformed YAML", completed.stderr)

    def _write(self, text: str) -> Path:
        import tempfile

        directory = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [p.unlink() for p in directory.iterdir()] and None)
        path = directory / "framework.yaml"
        path.write_text(text, encoding="utf-8")
        return path


class ExportFrameworkCommandTests(TestCase):
    def test_export_writes_a_file_that_loads_to_the_same_spec(self) -> None:
        run("load_framework", str(DEFAULT_FRAMEWORK), "--publish")
        import tempfile

        target = Path(tempfile.mkdtemp()) / "out.yaml"
        run("export_framework", "dcna", "2026.1", "-o", str(target))
        self.assertEqual(
            load_framework_text(target.read_text(encoding="utf-8")),
            load_framework_file(DEFAULT_FRAMEWORK),
        )
        target.unlink()

    def test_export_to_standard_output(self) -> None:
        run("load_framework", str(FIXTURES / "tiny-v1.yaml"))
        out, _ = run("export_framework", "tiny", "1")
        self.assertEqual(load_framework_text(out), load_framework_file(FIXTURES / "tiny-v1.yaml"))

    def test_an_unknown_version_is_a_clear_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "no framework dcna 9"):
            run("export_framework", "dcna", "9")
