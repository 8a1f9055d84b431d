"""``hotline import FILE.yaml``: load the centre's directory from one YAML file."""

from hotline.importer.loader import ImportFileError, ImportSummary, import_file, load_document

__all__ = ["ImportFileError", "ImportSummary", "import_file", "load_document"]
