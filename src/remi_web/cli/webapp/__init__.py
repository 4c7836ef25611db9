"""The web app that `remi web` serves and the Pyodide dist it boots from.

The app's files (HTML, JS, CSS, the agent templates, the pins) are `web/` in a checkout and
`remi_web/cli/webapp/app/` in the wheel (`files`). The dist (the Pyodide runtime, the page's
libraries, the pinned wheels, the project's own wheel, `pyodide-lock.json`, the memory snapshot)
is assembled by one implementation (`assemble`): into `web/dist/` by `scripts/setup_web.sh` in
a checkout, and on the first `remi web` of an installed wheel into the user's cache (`cache`),
from the npm registry and PyPI, every file checked against its pinned hash (`fetch`).
"""
