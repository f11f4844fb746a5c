"""Reading XForms and the instances devices send, through defusedxml only.

`form_schema` lists a form version's fields in instance order: path, type, groups and
repeats, select_one/select_multiple and their choices, labels. `instance_meta` reads what
routing needs from a submission (form ID, version, instanceID, deprecatedID), and
`instance_data` turns a submission into nested JSON: groups as objects, repeats as lists.
"""

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.etree.ElementTree import Element  # noqa: S405 - type only; parsing is defusedxml's

from defusedxml import ElementTree

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
JR = "{http://openrosa.org/javarosa}"
ORX = "{http://openrosa.org/xforms}"
MEDIA_REFERENCE = re.compile(r"jr://(?:images|audio|video|file|file-csv)/([^\"'<>\s]+)")


class XmlError(ValueError):
    """The XML is malformed, or refused as dangerous (entities, external references)."""


def parse_xml(text: str | bytes) -> Element:
    try:
        return ElementTree.fromstring(text, forbid_dtd=True)
    except ElementTree.ParseError as error:
        raise XmlError(f"the XML cannot be read: {error}") from None
    except Exception as error:  # defusedxml's DTDForbidden, EntitiesForbidden, ...
        raise XmlError(f"the XML was refused: {error.__class__.__name__}") from None


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass
class Field:
    path: str
    name: str
    kind: str  # "field", "group" or "repeat"
    type: str = "string"
    select: str = ""  # "", "one" or "multiple"
    choices: list[str] = field(default_factory=list)
    label: str = ""
    repeat: str = ""  # path of the innermost repeat holding this field


@dataclass
class FormSchema:
    form_id: str
    version: str
    title: str
    root: str
    fields: list[Field]
    media: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def form_schema(xform: str) -> FormSchema:
    document = parse_xml(xform)
    model = document.find(f"{H}head/{XF}model")
    if model is None:
        raise XmlError("this is not an XForm: it has no <model> in its <h:head>")
    instances = model.findall(f"{XF}instance")
    primary = next(iter(instances[0]), None) if instances else None
    if primary is None:
        raise XmlError("this XForm has no primary instance")
    root = local(primary.tag)
    binds = {bind.get("nodeset", ""): bind for bind in model.iter(f"{XF}bind")}
    body = document.find(f"{H}body")
    controls = controls_by_ref(body) if body is not None else {}
    repeats = repeat_paths(primary, body)
    choices = secondary_choices(instances[1:])
    fields: list[Field] = []
    walk(primary, f"/{root}", "", repeats, binds, controls, choices, fields)
    title = document.findtext(f"{H}head/{H}title") or primary.get("id") or root
    return FormSchema(
        form_id=primary.get("id", ""),
        version=primary.get("version", ""),
        title=title.strip(),
        root=root,
        fields=fields,
        media=sorted(set(MEDIA_REFERENCE.findall(xform))),
    )


def controls_by_ref(body: Element) -> dict[str, Element]:
    """Body elements by the node they bind; a repeat's label is on its enclosing group."""
    controls: dict[str, Element] = {}
    for element in body.iter():
        ref = element.get("ref") or (local(element.tag) == "repeat" and element.get("nodeset"))
        if ref:
            controls.setdefault(ref, element)
    return controls


def repeat_paths(primary: Element, body: Element | None) -> set[str]:
    """Repeats are marked by a jr:template in the instance, or a <repeat> in the body."""
    found = set()
    if body is not None:
        found |= {e.get("nodeset", "") for e in body.iter(f"{XF}repeat")}

    def mark(element: Element, path: str) -> None:
        for child in element:
            child_path = f"{path}/{local(child.tag)}"
            if f"{JR}template" in child.attrib:
                found.add(child_path)
            mark(child, child_path)

    mark(primary, f"/{local(primary.tag)}")
    return found


def secondary_choices(instances: list[Element]) -> dict[str, list[str]]:
    lists = {}
    for instance in instances:
        items = instance.findall(f"./{XF}root/{XF}item") or instance.findall("./root/item")
        if instance.get("id") and items:
            lists[instance.get("id", "")] = [
                item.findtext(f"{XF}name") or item.findtext("name") or "" for item in items
            ]
    return lists


def walk(
    element: Element,
    absolute: str,
    repeat: str,
    repeats: set[str],
    binds: dict[str, Element],
    controls: dict[str, Element],
    choices: dict[str, list[str]],
    out: list[Field],
) -> None:
    seen = set()
    for child in element:
        name = local(child.tag)
        if name in seen:  # a repeat's template and its first instance share a name
            continue
        seen.add(name)
        path = f"{absolute}/{name}"
        relative = path.split("/", 2)[2]
        if path in repeats:
            out.append(
                Field(relative, name, "repeat", label=label_of(controls.get(path)), repeat=repeat)
            )
            walk(child, path, relative, repeats, binds, controls, choices, out)
        elif len(child):
            out.append(
                Field(relative, name, "group", label=label_of(controls.get(path)), repeat=repeat)
            )
            walk(child, path, repeat, repeats, binds, controls, choices, out)
        else:
            out.append(leaf(relative, name, repeat, binds.get(path), controls.get(path), choices))


def leaf(
    path: str,
    name: str,
    repeat: str,
    bind: Element | None,
    control: Element | None,
    choices: dict[str, list[str]],
) -> Field:
    item = Field(path, name, "field", repeat=repeat, label=label_of(control))
    if bind is not None:
        item.type = bind.get("type", "string").rpartition(":")[2]
    if control is not None and local(control.tag) in {"select", "select1", "odk:rank"}:
        item.select = "multiple" if local(control.tag) == "select" else "one"
        item.choices = control_choices(control, choices)
    return item


def control_choices(control: Element, lists: dict[str, list[str]]) -> list[str]:
    itemset = control.find(f"{XF}itemset")
    if itemset is not None:
        match = re.search(r"instance\('([^']+)'\)", itemset.get("nodeset", ""))
        return lists.get(match[1], []) if match else []
    return [item.findtext(f"{XF}value", "") for item in control.findall(f"{XF}item")]


def label_of(control: Element | None) -> str:
    if control is None:
        return ""
    label = control.find(f"{XF}label")
    return "".join(label.itertext()).strip() if label is not None else ""


@dataclass(frozen=True)
class InstanceMeta:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    instance_name: str


def instance_meta(root: Element) -> InstanceMeta:
    meta = root.find("meta")
    if meta is None:
        meta = root.find(f"{ORX}meta")

    def read(name: str) -> str:
        if meta is None:
            return ""
        value = meta.findtext(name)
        if value is None:
            value = meta.findtext(f"{ORX}{name}")
        return (value or "").strip()

    return InstanceMeta(
        form_id=root.get("id", "") or root.get("xmlns", ""),
        version=root.get("version", ""),
        instance_id=read("instanceID"),
        deprecated_id=read("deprecatedID"),
        instance_name=read("instanceName"),
    )


def instance_data(root: Element, repeats: set[str]) -> dict[str, Any]:
    """Nested JSON of a submission; `repeats` holds repeat paths such as "hh" or "hh/member"."""
    return element_data(root, "", repeats)


def element_data(element: Element, path: str, repeats: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for child in element:
        name = local(child.tag)
        child_path = f"{path}/{name}" if path else name
        value: Any = element_data(child, child_path, repeats) if len(child) else (child.text or "")
        if child_path in repeats:
            data.setdefault(name, []).append(value if len(child) else {})
        elif name in data:  # an undeclared repeat: keep every occurrence
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def binary_values(data: dict[str, Any], schema: FormSchema) -> list[str]:
    """The file names a submission refers to: the values of its binary questions."""
    binaries = {item.path for item in schema.fields if item.type == "binary"}
    names: list[str] = []
    collect_binaries(data, "", binaries, names)
    return sorted(set(names))


def collect_binaries(data: Any, path: str, binaries: set[str], names: list[str]) -> None:
    if isinstance(data, list):
        for item in data:
            collect_binaries(item, path, binaries, names)
    elif isinstance(data, dict):
        for key, value in data.items():
            collect_binaries(value, f"{path}/{key}" if path else key, binaries, names)
    elif path in binaries and data:
        names.append(str(data).strip())
