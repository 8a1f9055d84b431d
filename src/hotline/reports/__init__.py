"""Reports over the call table and the agent state log (docs/reports.md).

Each report is a pure computation over plain rows (``interval``, ``abandons``), the database reads
that feed it (``queries``) and the exports (``export``); the API and the pages call the same
functions, so a figure on a page is the figure in the CSV and the XLSX.
"""
