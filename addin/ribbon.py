"""The ribbon (customUI XML) generated from the registry: tab 纪检台账, one group per
``Action.group``, every button calling the single VBA dispatcher."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from addin.actions import GROUPS, REGISTRY, TAB_ID, TAB_LABEL

#: The ribbon part, its namespace and the package relationship that points at it belong together
#: ([MS-OI29500], [MS-CUSTOMUI]): the 2006 relationship type names a part in the
#: 2006/01 namespace (``customUI/customUI.xml``, read by Excel 2007 and later); the 2007 type
#: names one in the 2009/07 namespace (``customUI/customUI14.xml``, Excel 2010 and later).  A
#: host may ignore a part whose namespace does not match its relationship: no ribbon, no error.
#: We write the 2006 pair: every Excel since 2007 reads it, and the ribbon needs nothing of the
#: 2010 schema.
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOMUI_PART = "customUI/customUI.xml"
CUSTOMUI_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
#: Every pairing the specification allows: relationship type -> (part name, namespace).
CUSTOMUI_PAIRS = {
    CUSTOMUI_RELATIONSHIP: (CUSTOMUI_PART, CUSTOMUI_NS),
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility":
        ("customUI/customUI14.xml", "http://schemas.microsoft.com/office/2009/07/customui"),
}
#: The VBA callback every button calls (module.procedure).
DISPATCHER = "TaizhangRibbon.OnAction"


def ribbon_xml() -> str:
    lines = [f'<customUI xmlns="{CUSTOMUI_NS}">', "  <ribbon>", "    <tabs>",
             f"      <tab id={quoteattr(TAB_ID)} label={quoteattr(TAB_LABEL)}>"]
    for group, group_id in GROUPS.items():
        lines.append(f"        <group id={quoteattr(group_id)} label={quoteattr(group)}>")
        for a in (a for a in REGISTRY if a.group == group):
            lines.append(
                f"          <button id={quoteattr(a.id)} label={quoteattr(a.label)} size=\"large\" "
                f"imageMso={quoteattr(a.image_mso)} screentip={quoteattr(a.label)} "
                f"supertip={quoteattr(a.screentip)} onAction={quoteattr(DISPATCHER)} />")
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>"]
    return "\n".join(lines) + "\n"
