"""Run with Debian's /usr/bin/python3 (python3-uno): open a workbook in headless LibreOffice
and print, as JSON, the Basic libraries LibreOffice imported from its VBA project, each
module with its source.  Usage: lo_basic_modules.py WORKBOOK PROFILE_DIR
"""

import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    path, profile = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    pipe = "tz" + uuid.uuid4().hex
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # MacroExecutionMode 0: never run macros; the VBA source is still imported
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                           (prop("Hidden", True), prop("MacroExecutionMode", 0)))
        if doc is None:
            raise SystemExit("LibreOffice could not open the workbook")
        out = {"filter": doc.getArgs()[[a.Name for a in doc.getArgs()].index("FilterName")].Value,
               "sheets": list(doc.Sheets.ElementNames), "libraries": {}}
        libs = doc.BasicLibraries
        for name in libs.ElementNames:
            if not libs.isLibraryLoaded(name):
                libs.loadLibrary(name)
            lib = libs.getByName(name)
            out["libraries"][name] = {m: lib.getByName(m) for m in lib.ElementNames}
        try:
            out["vba_compat"] = bool(libs.VBACompatibilityMode)
        except Exception:
            out["vba_compat"] = None
        doc.close(True)
        print(json.dumps(out, ensure_ascii=False))
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
