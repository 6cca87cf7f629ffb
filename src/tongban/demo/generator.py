"""Synthetic catalogs for scale tests: many regions, departments and implementation items.

``scale_catalog(n)`` returns ``(organizations, catalog)`` in the same formats as
``tongban.demo.city``: the demo city's organisations plus synthesised cities (990200, 990300, …)
with districts, each region with a 行政审批服务局, a 公安(分)局 and a 市场监督管理局 (valid,
unique credit codes), and ``n`` implementation items that reuse the demo catalog's base items
and guide texts with local variation. Pure Python and deterministic for a given seed.
"""

from __future__ import annotations

import random
from typing import Any

from tongban.demo import city

# Department groups of a synthesised region: key, name suffix, name_en
_GROUPS: list[tuple[str, str, str]] = [
    ("approval", "行政审批服务局", "Administrative Approval Services Bureau"),
    ("psb", "公安局", "Public Security Bureau"),
    ("amr", "市场监督管理局", "Administration for Market Regulation"),
]
_CITY_FIRST = "东西南北云龙凤金银玉清宁安平长永新丰泰华嘉和兴瑞盛通远"
_CITY_SECOND = "阳川州江山河湖林原城"
_PINYIN = {
    "东": "Dong",
    "西": "Xi",
    "南": "Nan",
    "北": "Bei",
    "云": "Yun",
    "龙": "Long",
    "凤": "Feng",
    "金": "Jin",
    "银": "Yin",
    "玉": "Yu",
    "清": "Qing",
    "宁": "Ning",
    "安": "An",
    "平": "Ping",
    "长": "Chang",
    "永": "Yong",
    "新": "Xin",
    "丰": "Feng",
    "泰": "Tai",
    "华": "Hua",
    "嘉": "Jia",
    "和": "He",
    "兴": "Xing",
    "瑞": "Rui",
    "盛": "Sheng",
    "通": "Tong",
    "远": "Yuan",
    "阳": "yang",
    "川": "chuan",
    "州": "zhou",
    "江": "jiang",
    "山": "shan",
    "河": "he",
    "湖": "hu",
    "林": "lin",
    "原": "yuan",
    "城": "cheng",
}
_DISTRICT_NAMES = [
    ("城关区", "Chengguan District"),
    ("东城区", "Dongcheng District"),
    ("西城区", "Xicheng District"),
    ("南湖区", "Nanhu District"),
    ("北山区", "Beishan District"),
    ("滨河区", "Binhe District"),
    ("新城区", "Xincheng District"),
    ("经济技术开发区", "Economic Development Zone"),
]
_ROADS = ["人民路", "中山路", "解放路", "建设路", "政务路", "文化路", "府前路", "长安街"]
DISTRICTS_PER_CITY = 8
_AGENT_QUESTION = (
    "是否委托他人代为办理？",
    "Is someone applying on your behalf?",
)
_KIN_QUESTION = ("代理人是否为近亲属？", "Is the agent a close relative?")


def _city_name(index: int) -> tuple[str, str]:
    first = _CITY_FIRST[index % len(_CITY_FIRST)]
    second = _CITY_SECOND[(index // len(_CITY_FIRST)) % len(_CITY_SECOND)]
    return f"{first}{second}市", f"{_PINYIN[first]}{_PINYIN[second]}"


def _district_name(index: int) -> tuple[str, str]:
    if index < len(_DISTRICT_NAMES):
        return _DISTRICT_NAMES[index]
    return f"第{index + 1}区", f"District {index + 1}"


class _Templates:
    """The demo catalog's items, one per base code, prepared for fast copying."""

    def __init__(self) -> None:
        document = city.catalog()
        self.themes = document["themes"]
        self.base_items = document["base_items"]
        group_of: dict[str, str] = {}
        for key, code in city.department_codes().items():
            group = key.rsplit("/", 1)[-1]
            group_of[code] = group if group in {"psb", "amr"} else "approval"
        self.by_group: dict[str, list[dict[str, Any]]] = {key: [] for key, *_ in _GROUPS}
        seen: set[str] = set()
        for item in document["items"]:
            if item["base_code"] in seen:
                continue
            seen.add(item["base_code"])
            pool = [m for m in item["materials"] if m["necessity"] != "conditional"]
            base = {
                k: v
                for k, v in item.items()
                if k not in {"materials", "situations", "implementation_code", "department"}
            }
            self.by_group[group_of[item["department"]]].append({"base": base, "pool": pool})
        self.filler = [
            city._material("app", "", "required", "申请", "Application"),
            city._material("id", "", "required", "", ""),
        ]
        self.proxy = city._material("proxy", "", "conditional", "", "")


def _materials(
    rng: random.Random, template: dict[str, Any], filler: list[dict[str, Any]], count: int
) -> list[dict[str, Any]]:
    pool = template["pool"]
    chosen = pool[:count]
    names = {m["name"] for m in chosen}
    for extra in filler:
        if len(chosen) >= count:
            break
        if extra["name"] not in names:
            chosen.append(extra)
    result = []
    for n, material in enumerate(chosen, start=1):
        copy = dict(material)
        copy["code"] = f"M{n:02d}"
        if copy["necessity"] == "conditional":
            copy["necessity"] = "required"
        if rng.random() < 0.05 and n > 1:
            copy["necessity"] = "deferrable"
        result.append(copy)
    return result


def _situations(rng: random.Random, proxy_code: str) -> list[dict[str, Any]]:
    situations = [
        {
            "code": "Q1",
            "question": _AGENT_QUESTION[0],
            "question_en": _AGENT_QUESTION[1],
            "multiple": False,
            "depends_on": None,
            "options": [
                {
                    "code": "self",
                    "label": "本人办理",
                    "label_en": "I apply myself",
                    "materials": [],
                    "conditions": "",
                    "conditions_en": "",
                },
                {
                    "code": "agent",
                    "label": "委托代理人办理",
                    "label_en": "An agent applies",
                    "materials": [proxy_code],
                    "conditions": "需另行提交授权委托书。",
                    "conditions_en": "Also submit a power of attorney.",
                },
            ],
        }
    ]
    if rng.random() < 0.3:
        situations.append(
            {
                "code": "Q2",
                "question": _KIN_QUESTION[0],
                "question_en": _KIN_QUESTION[1],
                "multiple": False,
                "depends_on": "Q1:agent",
                "options": [
                    {
                        "code": "kin",
                        "label": "是",
                        "label_en": "Yes",
                        "materials": [],
                        "conditions": "近亲属代办的可免于公证。",
                        "conditions_en": "A close relative needs no notarisation.",
                    },
                    {
                        "code": "other",
                        "label": "否",
                        "label_en": "No",
                        "materials": [],
                        "conditions": "",
                        "conditions_en": "",
                    },
                ],
            }
        )
    return situations


def scale_catalog(n_items: int, seed: int = 7) -> tuple[dict[str, Any], dict[str, Any]]:
    """Organisations and a catalog with exactly ``n_items`` implementation items."""
    rng = random.Random(seed)
    templates = _Templates()
    orgs = city.organizations()
    regions: list[dict[str, Any]] = list(orgs["regions"])
    departments: list[dict[str, Any]] = list(orgs["departments"])
    halls: list[dict[str, Any]] = list(orgs["halls"])
    items: list[dict[str, Any]] = []
    serial = 0
    city_index = 1
    while len(items) < n_items:
        city_index += 1
        if city_index > 99:
            raise ValueError("n_items is too large for the synthetic province")
        city_code = f"99{city_index:02d}00"
        city_name, city_name_en = _city_name(city_index)
        regions.append(
            {
                "code": city_code,
                "name": city_name,
                "name_en": city_name_en,
                "level": "city",
                "parent": city.PROVINCE,
            }
        )
        halls.append(
            {
                "code": f"SC-{city_code}",
                "name": f"{city_name}政务服务中心",
                "name_en": f"{city_name_en} Government Services Centre",
                "region": city_code,
                "address": f"{city_name}政务路1号",
                "office_hours": city.OFFICE_HOURS,
                "phone": f"0999-{rng.randint(20000000, 89999999)}",
                "windows": [
                    {
                        "number": "01",
                        "name": "综合受理窗口",
                        "name_en": "Comprehensive window",
                        "kind": "comprehensive",
                    },
                    {
                        "number": "02",
                        "name": "出件窗口",
                        "name_en": "Result window",
                        "kind": "comprehensive",
                    },
                ],
            }
        )
        city_departments: dict[str, str] = {}
        places = [(city_code, city_name, city_name_en, None)]
        for d in range(DISTRICTS_PER_CITY):
            name, name_en = _district_name(d)
            places.append((f"99{city_index:02d}{d + 2:02d}", name, name_en, city_code))
        for region_code, name, name_en, parent in places:
            if len(items) >= n_items:
                break
            if parent:
                regions.append(
                    {
                        "code": region_code,
                        "name": name,
                        "name_en": name_en,
                        "level": "district",
                        "parent": parent,
                    }
                )
            full_name = name if not parent else f"{city_name}{name}"
            for key, suffix, suffix_en in _GROUPS:
                if len(items) >= n_items:
                    break
                serial += 1
                code = city.credit_code(region_code, serial, org="MC")
                dept_name = f"{full_name}{suffix}"
                if key == "psb" and parent:
                    dept_name = f"{city_name}公安局{name}分局"
                road = _ROADS[serial % len(_ROADS)]
                address = f"{full_name}{road}{serial % 300 + 1}号"
                phone = f"0999-{rng.randint(20000000, 89999999)}"
                departments.append(
                    {
                        "credit_code": code,
                        "name": dept_name,
                        "name_en": f"{name_en} {suffix_en}",
                        "short_name": suffix,
                        "region": region_code,
                        "parent": city_departments.get(key),
                        "phone": phone,
                        "address": address,
                    }
                )
                if not parent:
                    city_departments[key] = code
                for template in templates.by_group[key]:
                    if len(items) >= n_items:
                        break
                    items.append(
                        _item(
                            rng, templates, template, code, region_code, full_name, address, phone
                        )
                    )
    organizations = {"regions": regions, "departments": departments, "halls": halls}
    document = {
        "format": "tongban.catalog",
        "format_version": 1,
        "themes": templates.themes,
        "base_items": templates.base_items,
        "items": items,
    }
    return organizations, document


def _item(
    rng: random.Random,
    templates: _Templates,
    template: dict[str, Any],
    department: str,
    region: str,
    place_name: str,
    address: str,
    phone: str,
) -> dict[str, Any]:
    base = template["base"]
    item = dict(base)
    item["implementation_code"] = department + base["base_code"]
    item["department"] = department
    item["region"] = region
    item["address"] = f"{address}{place_name}政务服务中心"
    item["phone"] = phone
    item["keywords"] = f"{base['keywords']} {place_name}"[:300]
    item["themes"] = list(base["themes"])
    legal = base["legal_time_limit"]
    if base["case_kind"] == "promised" and legal > 1:
        item["promised_time_limit"] = rng.randint(max(1, legal // 4), legal)
    if base["online_depth"] >= 2:
        depth = rng.choice((2, 3, 4, 4))
        item["online_depth"] = depth
        item["visits_needed"] = {4: 0, 3: 1}.get(depth, rng.randint(1, 2))
        item["appointment"] = item["visits_needed"] > 0
        item["online_payment"] = base["fee_required"] and depth >= 3
    count = rng.randint(2, 4)
    if rng.random() < 0.3:
        materials = _materials(rng, template, templates.filler, count - 1)
        proxy = dict(templates.proxy)
        proxy["code"] = f"M{len(materials) + 1:02d}"
        materials.append(proxy)
        item["materials"] = materials
        item["situations"] = _situations(rng, proxy["code"])
    else:
        item["materials"] = _materials(rng, template, templates.filler, count)
        item["situations"] = []
    return item
