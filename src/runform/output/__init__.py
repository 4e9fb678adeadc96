"""Everything written to the result folder: summary.json, CSVs, video, report."""

from runform.output.atomic import atomic_path, write_json, write_text

__all__ = ["atomic_path", "write_json", "write_text"]
