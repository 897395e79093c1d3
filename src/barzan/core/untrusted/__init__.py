"""
Read files nobody vouches for, so that the worst a file can do is fail with a message.

An uploaded workbook, archive, JSON or XML file is read in two steps:

1. An archive (a ZIP file, and an XLSX workbook, which is one) is inspected before anything
   in it is decompressed: `open_zip` counts its entries from the end-of-archive record,
   then checks each entry's declared size, their total, each entry's compression ratio and
   archives inside the archive; `check_xlsx` also reads the first bytes of every sheet for
   the dimensions it declares (`<dimension ref="A1:XFD1048576"/>`). Declared sizes can lie,
   so `read_member` decompresses as a stream and stops at the cap.
2. The parse runs in a child process (`parse`): a new interpreter that imports only the
   standard library and python-calamine, limited in address space (RLIMIT_AS), processor
   time (RLIMIT_CPU) and the size of what it writes (RLIMIT_FSIZE), and killed by the
   parent when its time is up. The child writes what it read to a temporary file in
   pickled batches (256 rows, values or XML elements; GeoJSON features one by one); the
   parent streams them back with an unpickler that builds nothing but plain data, so a
   large file never crosses the boundary whole and the parent holds one batch at a time.

A file that breaks its format raises `Malformed` (a kind and details such as a line),
which the caller turns into its own message; a file that breaks a limit raises
`UnreadableFile`, whose message is translated here. The limits are the `BARZAN_UNZIP_*`,
`BARZAN_XLSX_*` and `BARZAN_PARSER_*` settings.

Why a new interpreter started with `subprocess` rather than `multiprocessing`: a forked
child would inherit Django's open database connections, the worker's threads and the
parent's whole address space (which RLIMIT_AS counts); multiprocessing's `spawn` and
`forkserver` children run the parent's `__main__` again (gunicorn, pytest or the
`barzan` script) before the work, which costs time and depends on how the parent was
started: 8 to 10 s a child from a script that sets Django up when imported, on this
machine under load. The child is started with `-I` (no environment variables, no current
folder on its path) and finds Barzan from the location of this file, so what it does
depends on neither the current folder nor the environment. Starting it and reading a
one-row file costs 0.1 to 0.2 s (0.4 s with the machine's two cores busy).

The package imports Django only inside the functions that need it: the child imports
it and must start fast. `archives` inspects archives, `child` runs the parse in a child
process, `jobs` holds what the child runs, `limits` the limits and the refusals.

Measured on a 2-core machine (December 2026), peak resident memory of the reading process
with Django loaded (74 MB before reading) and of the child:

- one cell at XFD1048576 (1.5 KB): refused from its <dimension> before any child, 88 MB;
  without the <dimension>, refused by the child from the sheet's extent (child 17 MB);
  with A1 as well, calamine's 512 GiB request fails against RLIMIT_AS (child 64 MB);
- 1.5 MB expanding to 528 MB of sheet XML: refused for its ratio (376), 88 MB; with the
  ratio check lifted, the child reached 1,343 MB and was stopped at the 2,048 MB limit,
  the reading process stayed at 88 MB;
- a 1.5 MB ZIP of division CSVs expanding to 1.5 GiB: refused from its directory, 96 MB;
- a 74 MB GeoJSON of 2,000 polygons of 1,500 points: reading process 169 MB, child
  575 MB, 15.8 s (parsed whole in the reading process: 632 MB, 8.9 s);
- ordinary files: a 100,000-row workbook (2.4 MB) 2.8 s, reading process 88 MB, child
  85 MB (read in process: 1.8 s, 141 MB); a 100,000-value DHIS2 JSON (12 MB) 2.2 s,
  88 MB, child 76 MB; a one-row workbook 0.1 to 0.2 s, child 17 MB.
"""

from .archives import check_xlsx, open_zip, read_member, sheet_too_large
from .child import parse
from .jobs import JSON_ITEMS, XLSX_ROWS, XML_ELEMENTS, cell_text, decimal_text
from .limits import Limits, Malformed, UnreadableFile, current_limits

__all__ = [
    "JSON_ITEMS",
    "XLSX_ROWS",
    "XML_ELEMENTS",
    "Limits",
    "Malformed",
    "UnreadableFile",
    "cell_text",
    "check_xlsx",
    "current_limits",
    "decimal_text",
    "open_zip",
    "parse",
    "read_member",
    "sheet_too_large",
]
