"""The ribbon (customUI XML) generated from the registry: tab 纪检台账, one group per
``Action.group``, every button calling the single VBA dispatcher."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from addin.actions import GROUPS, REGISTRY, TAB_ID, TAB_LABEL

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
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
