"""The bundle's one program: ``contract-batch-gui`` or ``contract-batch`` by the name it is started under.

PyInstaller freezes this script. It must call ``multiprocessing.freeze_support()`` before anything else:
the desktop app launches batches from a spawned process, which in a bundle is this same binary.
"""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()
    from core.runtime import entry_for, prepare_frozen

    prepare_frozen()
    face, args = entry_for(sys.argv[0], sys.argv[1:])
    if face == "cli":
        from core.cli import main as cli_main

        return int(cli_main.main(args=args, prog_name="contract-batch", standalone_mode=True) or 0)
    from gui.__main__ import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
